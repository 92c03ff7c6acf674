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
   * The first call reads only the rows that can still need something (filtered by Notion); later
   * calls read every row edited since, settled ones included.
   */
  async pollMilestones(): Promise<Milestone[]> {
    const feed = this.#milestoneFeed;
    const filter = feed.started ? this.#editedSince(feed) : openRowsFilter(this.#stageType);
    return this.#read('milestones', feed, filter).then((pages) => pages.map(milestoneFromPage));
  }

  /** Every client the first time, then those edited since, at most every `clientsEveryMs`. */
  async pollClients(): Promise<Client[]> {
    const feed = this.#clientFeed;
    if (feed.started && Date.now() - this.#clientsReadAt < this.#clientsEveryMs) return [];
    this.#clientsReadAt = Date.now();
    return this.#read('clients', feed, feed.started ? this.#editedSince(feed) : null).then((pages) => pages.map(clientFromPage));
  }

  #editedSince(feed: ChangeFeed): QueryFilter {
    return { timestamp: 'last_edited_time', last_edited_time: { on_or_after: feed.sinceIso() ?? new Date(0).toISOString() } };
  }

  async #read(table: 'milestones' | 'clients', feed: ChangeFeed, filter: QueryFilter | null): Promise<PageObjectResponse[]> {
    const { pages, answeredAt } = await this.#queryAll(this.#source(table), filter);
    return feed.take(pages, answeredAt);
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
    const properties = milestonePatchProperties(patch, this.#stageType);
    const page = await this.#call('update milestone', () => this.#notion.pages.update({ page_id: id, properties }));
    return milestoneFromPage(this.#own(page, this.#milestoneFeed));
  }

  async updateClient(id: string, patch: ClientPatch): Promise<Client> {
    const page = await this.#call('update client', () => this.#notion.pages.update({ page_id: id, properties: clientPatchProperties(patch) }));
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

  /** Every page of a query, and Notion's time when it answered the first. */
  async #queryAll(dataSourceId: string, filter: QueryFilter | null): Promise<{ pages: PageObjectResponse[]; answeredAt: Date | null }> {
    const pages: PageObjectResponse[] = [];
    let answeredAt: Date | null = null;
    let cursor: string | undefined;
    do {
      const response = await this.#call('query', () =>
        this.#notion.dataSources.query({
          data_source_id: dataSourceId,
          page_size: 100,
          sorts: [{ timestamp: 'last_edited_time', direction: 'ascending' }],
          ...(filter ? { filter } : {}),
          ...(cursor ? { start_cursor: cursor } : {}),
        }),
      );
      answeredAt ??= this.#serverTime();
      for (const result of response.results) if (isPageResponse(result)) pages.push(result);
      cursor = response.has_more && response.next_cursor ? response.next_cursor : undefined;
      if (response.request_status?.type === 'incomplete') {
        this.#logger.warn({ dataSourceId }, 'notion query stopped at its row limit; later rows are read on the next poll');
        break;
      }
    } while (cursor);
    return { pages, answeredAt };
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
