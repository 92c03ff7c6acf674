/**
 * The Notion side of Cashin: reads milestones and clients, writes the bot's columns, adds the audit
 * comments. Change detection lives here too, because Notion's `last_edited_time` alone misses edits.
 */
import { APIResponseError, isFullDatabase, isFullDataSource, isFullPage, type Client as NotionClient, type PageObjectResponse } from '@notionhq/client';
import type { Client, Milestone } from '../domain/milestone.js';
import type { Logger } from '../log.js';
import { ExternalServiceError, type ExternalErrorCode } from '../errors.js';
import type { ClientPatch, InvoiceHistoryRow, Ledger, MilestoneDraft, MilestonePatch } from '../workflows/ports.js';
import { checkProperties, type SchemaProblem, type TableName } from './contract.js';
import { ChangeFeed } from './change-feed.js';
import { clientFromPage, milestoneFromPage } from './from-page.js';
import { HISTORY_PROPERTIES, readInvoiceHistory } from './history.js';
import { openRowsFilter, type QueryFilter } from './open-rows.js';
import { clientPatchProperties, draftProperties, milestonePatchProperties, richText } from './to-properties.js';

export type LedgerIds = { milestonesDb: string; clientsDb: string };

export type LedgerOptions = {
  /** Notion's clock, from the Date of its latest answer (the throttle keeps it). */
  serverTime?: () => Date | null;
  /** Read the Clients table at most this often; a client edit is then seen within it (and one poll). */
  clientsEveryMs?: number;
};

/** Clients change rarely: reading them every 55 s keeps a client edit within a minute of being seen. */
const CLIENTS_EVERY_MS = 55_000;

export class NotionLedger implements Ledger {
  readonly #notion: NotionClient;
  readonly #ids: LedgerIds;
  readonly #logger: Logger;
  readonly #milestoneFeed = new ChangeFeed();
  readonly #clientFeed = new ChangeFeed();
  #milestonesSource: string | null = null;
  #clientsSource: string | null = null;
  #stageType: 'select' | 'status' = 'select';
  readonly #serverTime: () => Date | null;
  #historyPropertyIds: string[] = [];
  readonly #clientsEveryMs: number;
  #clientsReadAt = 0;
  /** Property names each table has: optional columns are written only where they exist. */
  readonly #present: Record<'milestones' | 'clients', Set<string>> = { milestones: new Set(), clients: new Set() };

  constructor(notion: NotionClient, ids: LedgerIds, logger: Logger, options: LedgerOptions = {}) {
    this.#notion = notion;
    this.#ids = ids;
    this.#logger = logger.child({ component: 'ledger' });
    this.#serverTime = options.serverTime ?? (() => null);
    this.#clientsEveryMs = options.clientsEveryMs ?? CLIENTS_EVERY_MS;
  }

  /** Resolves the data sources and checks both tables against the ledger contract; returns every problem found. */
  async connect(): Promise<SchemaProblem[]> {
    const [milestones, clients] = await Promise.all([this.#inspect('Milestones', this.#ids.milestonesDb), this.#inspect('Clients', this.#ids.clientsDb)]);
    this.#milestonesSource = milestones.dataSourceId;
    this.#clientsSource = clients.dataSourceId;
    if (milestones.properties.Stage?.type === 'status') this.#stageType = 'status';
    this.#present.milestones = new Set(Object.keys(milestones.properties));
    this.#present.clients = new Set(Object.keys(clients.properties));
    this.#historyPropertyIds = HISTORY_PROPERTIES.map((name) => milestones.properties[name]?.id ?? name);
    return [...milestones.problems, ...clients.problems];
  }

  async #inspect(
    table: TableName,
    databaseId: string,
  ): Promise<{ dataSourceId: string; properties: Record<string, { type: string; id: string }>; problems: SchemaProblem[] }> {
    const db = await this.#call(`retrieve ${table} database`, () => this.#notion.databases.retrieve({ database_id: databaseId }));
    if (!isFullDatabase(db))
      throw new ExternalServiceError('notion_unexpected', `The ${table} database could not be read in full; share it with the integration.`, false);
    const source = db.data_sources[0];
    if (!source) throw new ExternalServiceError('notion_unexpected', `The ${table} database has no data source.`, false);
    const ds = await this.#call(`retrieve ${table} data source`, () => this.#notion.dataSources.retrieve({ data_source_id: source.id }));
    if (!isFullDataSource(ds)) throw new ExternalServiceError('notion_unexpected', `The ${table} data source could not be read in full.`, false);
    return { dataSourceId: source.id, properties: ds.properties, problems: checkProperties(table, ds.properties) };
  }

  /** Milestones changed since the last poll (all of them on the first call). */
  /**
   * The first read takes only the rows that can still need something (filtered by Notion), over
   * as many polls as it takes when Notion cuts it at its row limit; later reads take every row
   * edited since, settled ones included.
   */
  async pollMilestones(): Promise<Milestone[]> {
    const feed = this.#milestoneFeed;
    const filter = feed.started ? this.#editedSince(feed) : openRowsFilter(this.#stageType);
    return this.#read('milestones', feed, filter).then((pages) => pages.map(milestoneFromPage));
  }

  /** Every client the first time, then those edited since, at most every `clientsEveryMs`. */
  async pollClients(): Promise<Client[]> {
    const feed = this.#clientFeed;
    // An interval, so a monotonic clock: the wall clock stepping back (an NTP correction) must not stall it.
    const now = performance.now();
    if (feed.started && now - this.#clientsReadAt < this.#clientsEveryMs) return [];
    this.#clientsReadAt = now;
    return this.#read('clients', feed, feed.started ? this.#editedSince(feed) : null).then((pages) => pages.map(clientFromPage));
  }

  #editedSince(feed: ChangeFeed): QueryFilter {
    return { timestamp: 'last_edited_time', last_edited_time: { on_or_after: feed.sinceIso() ?? new Date(0).toISOString() } };
  }

  /** One read of `filter`, or its next part when Notion cut the last one at its row limit. */
  async #read(table: 'milestones' | 'clients', feed: ChangeFeed, filter: QueryFilter | null): Promise<PageObjectResponse[]> {
    const { pages, answeredAt, complete } = await this.#queryAll(this.#source(table), feed.narrow(filter));
    const { changed, skippedMinute } = feed.take(pages, answeredAt, complete);
    if (skippedMinute !== null) {
      this.#logger.error(
        { table, createdTime: skippedMinute },
        'more rows were created in one minute than one Notion query returns; the rest of that minute was not read',
      );
    }
    return changed;
  }

  async getMilestone(id: string): Promise<Milestone> {
    const page = await this.#page(id);
    this.#milestoneFeed.remember(page);
    return milestoneFromPage(page);
  }

  async getClient(id: string): Promise<Client> {
    const page = await this.#page(id);
    this.#clientFeed.remember(page);
    return clientFromPage(page);
  }

  async updateMilestone(id: string, patch: MilestonePatch): Promise<Milestone> {
    const properties = this.#existing('milestones', milestonePatchProperties(patch, this.#stageType));
    const page = await this.#call('update milestone', () => this.#notion.pages.update({ page_id: id, properties }));
    return milestoneFromPage(this.#own(page, this.#milestoneFeed));
  }

  async updateClient(id: string, patch: ClientPatch): Promise<Client> {
    const properties = this.#existing('clients', clientPatchProperties(patch));
    const page = await this.#call('update client', () => this.#notion.pages.update({ page_id: id, properties }));
    return clientFromPage(this.#own(page, this.#clientFeed));
  }

  async createMilestone(draft: MilestoneDraft): Promise<Milestone> {
    const page = await this.#call('create milestone', () =>
      this.#notion.pages.create({
        parent: { data_source_id: this.#source('milestones') },
        properties: draftProperties(draft, this.#stageType),
      }),
    );
    return milestoneFromPage(this.#own(page, this.#milestoneFeed));
  }

  async milestonesTitled(title: string): Promise<Milestone[]> {
    const response = await this.#call('find milestones by title', () =>
      this.#notion.dataSources.query({
        data_source_id: this.#source('milestones'),
        page_size: 10,
        filter: { property: 'Milestone', title: { equals: title } },
      }),
    );
    return response.results.filter(isPageResponse).map(milestoneFromPage);
  }

  invoiceHistory(): AsyncIterable<InvoiceHistoryRow[]> {
    return readInvoiceHistory(this.#notion, this.#source('milestones'), this.#historyPropertyIds, (what, run) => this.#call(what, run));
  }

  /** The audit trail: every transition is also a comment on the milestone's page. */
  async comment(pageId: string, text: string): Promise<void> {
    await this.#call('comment', () => this.#notion.comments.create({ parent: { page_id: pageId }, rich_text: richText(text) }));
  }

  forgetMilestone(id: string): void {
    this.#milestoneFeed.forget(id);
  }

  /** Whether the first read of the Milestones table has finished (it may take several polls). */
  get caughtUp(): boolean {
    return this.#milestoneFeed.started;
  }

  async hasComment(pageId: string, prefix: string): Promise<boolean> {
    let cursor: string | undefined;
    do {
      const page = await this.#call('list comments', () =>
        this.#notion.comments.list({ block_id: pageId, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }),
      );
      if (
        page.results.some((c) =>
          c.rich_text
            .map((t) => t.plain_text)
            .join('')
            .startsWith(prefix),
        )
      )
        return true;
      cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
    } while (cursor);
    return false;
  }

  /** Leaves out optional columns the table does not have. */
  #existing<T extends Record<string, unknown>>(table: 'milestones' | 'clients', properties: T): T {
    const present = this.#present[table];
    if (present.size === 0) return properties;
    return Object.fromEntries(Object.entries(properties).filter(([name]) => present.has(name))) as T;
  }

  #own(page: PageLike, feed: ChangeFeed): PageObjectResponse {
    if (!isPageResponse(page)) throw new ExternalServiceError('notion_unexpected', 'Notion answered an update with a partial page.', false);
    feed.remember(page);
    return page;
  }

  async #page(id: string): Promise<PageObjectResponse> {
    const page = await this.#call('retrieve page', () => this.#notion.pages.retrieve({ page_id: id }));
    if (!isPageResponse(page)) throw new ExternalServiceError('notion_unexpected', `Page ${id} could not be read in full.`, false);
    return page;
  }

  /**
   * Every page of a query in created_time order (which no edit changes, so paging skips nothing),
   * and Notion's time when it answered the first. `complete` is false when Notion stopped the query
   * at its row limit: rows created after the last one returned are still to be read.
   */
  async #queryAll(dataSourceId: string, filter: QueryFilter | null): Promise<{ pages: PageObjectResponse[]; answeredAt: Date | null; complete: boolean }> {
    const pages: PageObjectResponse[] = [];
    let answeredAt: Date | null = null;
    let cursor: string | undefined;
    do {
      const response = await this.#call('query', () =>
        this.#notion.dataSources.query({
          data_source_id: dataSourceId,
          page_size: 100,
          sorts: [{ timestamp: 'created_time', direction: 'ascending' }],
          ...(filter ? { filter } : {}),
          ...(cursor ? { start_cursor: cursor } : {}),
        }),
      );
      answeredAt ??= this.#serverTime();
      for (const result of response.results) if (isPageResponse(result)) pages.push(result);
      cursor = response.has_more && response.next_cursor ? response.next_cursor : undefined;
      if (response.request_status?.type === 'incomplete') {
        this.#logger.warn({ dataSourceId, rows: pages.length }, 'notion query stopped at its row limit; the next poll goes on from the last row read');
        return { pages, answeredAt, complete: false };
      }
    } while (cursor);
    return { pages, answeredAt, complete: true };
  }

  #source(which: 'milestones' | 'clients'): string {
    const id = which === 'milestones' ? this.#milestonesSource : this.#clientsSource;
    if (id === null) throw new Error('NotionLedger.connect() must run before the ledger is used');
    return id;
  }

  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw translateNotionError(what, error);
    }
  }
}

type PageLike = Parameters<typeof isFullPage>[0];

function isPageResponse(value: PageLike): value is PageObjectResponse {
  return value.object === 'page' && isFullPage(value);
}

export function translateNotionError(what: string, error: unknown): Error {
  if (!(error instanceof APIResponseError)) return error instanceof Error ? error : new Error(String(error));
  const retryable = error.status === 429 || error.status >= 500;
  const hint =
    error.code === 'object_not_found' || error.code === 'restricted_resource'
      ? ' Share the page or database with the Cashin integration.'
      : error.code === 'unauthorized'
        ? ' Check NOTION_TOKEN.'
        : '';
  return new ExternalServiceError(notionCode(error), `Notion refused to ${what}: ${error.message}${hint}`, retryable, error);
}

function notionCode(error: APIResponseError): ExternalErrorCode {
  if (error.status === 429) return 'notion_rate_limited';
  if (error.status >= 500) return 'notion_unavailable';
  if (error.code === 'unauthorized') return 'notion_unauthorized';
  if (error.code === 'object_not_found' || error.code === 'restricted_resource') return 'notion_not_shared';
  return 'notion_refused';
}
