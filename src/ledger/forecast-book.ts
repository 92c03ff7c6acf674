/**
 * The Forecasts table (NOTION_FORECASTS_DB): one row per week, titled by its ISO week. The weekly
 * forecast writes the week's expected cash-in and band, and later the actual amount and the error.
 * It is small (52 rows a year) and written once a week: every read takes the whole table.
 */
import { isFullDatabase, isFullPage, type Client as NotionClient, type PageObjectResponse } from '@notionhq/client';
import { ExternalServiceError } from '../errors.js';
import type { ForecastBook, ForecastWeekRow } from '../workflows/ports.js';
import { checkProperties } from './contract.js';
import { translateNotionError } from './notion-ledger.js';
import { richText } from './to-properties.js';

type Property = PageObjectResponse['properties'][string];

export class NotionForecastBook implements ForecastBook {
  readonly #notion: NotionClient;
  readonly #databaseId: string;
  #dataSourceId: string | null = null;
  /** Page ids by week, from the last read. */
  readonly #pages = new Map<string, string>();

  constructor(notion: NotionClient, databaseId: string) {
    this.#notion = notion;
    this.#databaseId = databaseId;
  }

  async weeks(): Promise<ForecastWeekRow[]> {
    const source = await this.#source();
    const rows: ForecastWeekRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('read the Forecasts table', () =>
        this.#notion.dataSources.query({ data_source_id: source, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }),
      );
      for (const result of page.results) {
        if (result.object !== 'page' || !isFullPage(result)) continue;
        const row = weekRow(result);
        if (!row) continue;
        this.#pages.set(row.week, result.id);
        rows.push({ ...row, pageId: result.id });
      }
      cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
    } while (cursor);
    return rows.sort((a, b) => a.weekStart.localeCompare(b.weekStart));
  }

  async save(row: ForecastWeekRow): Promise<void> {
    const source = await this.#source();
    if (!row.pageId && !this.#pages.has(row.week)) await this.weeks();
    const properties = {
      Week: { title: richText(row.week) },
      'Week start': { date: { start: row.weekStart } },
      Expected: { number: row.expected },
      Low: { number: row.low },
      High: { number: row.high },
      Actual: { number: row.actual },
      Error: { number: row.error },
    };
    const id = row.pageId ?? this.#pages.get(row.week);
    if (id) {
      await call('write the Forecasts table', () => this.#notion.pages.update({ page_id: id, properties }));
      return;
    }
    const created = await call('write the Forecasts table', () => this.#notion.pages.create({ parent: { data_source_id: source }, properties }));
    this.#pages.set(row.week, created.id);
  }

  async #source(): Promise<string> {
    if (this.#dataSourceId) return this.#dataSourceId;
    const db = await call('retrieve the Forecasts database', () => this.#notion.databases.retrieve({ database_id: this.#databaseId }));
    const source = isFullDatabase(db) ? db.data_sources[0] : undefined;
    if (!source) throw new ExternalServiceError('notion_unexpected', 'The Forecasts database could not be read; share it with the integration.', false);
    const ds = await call('retrieve the Forecasts data source', () => this.#notion.dataSources.retrieve({ data_source_id: source.id }));
    const problems = 'properties' in ds ? checkProperties('Forecasts', ds.properties) : [];
    if (problems.length > 0) {
      const names = problems.map((p) => `"${p.property}" (${p.expected.join(' or ')})`).join(', ');
      throw new ExternalServiceError('notion_unexpected', `The Forecasts table lacks ${names}; run npm run setup:notion or add them.`, false);
    }
    this.#dataSourceId = source.id;
    return source.id;
  }
}

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateNotionError(what, error);
  }
}

function weekRow(page: PageObjectResponse): ForecastWeekRow | null {
  const prop = (name: string): Property | undefined => page.properties[name];
  const title = prop('Week');
  const week =
    title?.type === 'title'
      ? title.title
          .map((t) => t.plain_text)
          .join('')
          .trim()
      : '';
  const start = prop('Week start');
  const weekStart = start?.type === 'date' ? (start.date?.start ?? '') : '';
  if (!week || !weekStart) return null;
  const num = (name: string) => {
    const p = prop(name);
    return p?.type === 'number' ? p.number : null;
  };
  return {
    week,
    weekStart: weekStart.slice(0, 10),
    expected: num('Expected') ?? 0,
    low: num('Low') ?? 0,
    high: num('High') ?? 0,
    actual: num('Actual'),
    error: num('Error'),
  };
}
