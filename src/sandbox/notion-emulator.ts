/**
 * A stateful emulator of the Notion API endpoints Cashin uses (API version 2025-09-03: databases
 * hold data sources). Strict like the real service: unknown routes, unknown properties, wrong value
 * types and oversized text are errors in Notion's own shape. `last_edited_time` is rounded down to
 * the minute, as Notion does, so pollers that trust it alone are caught out here too.
 */
import { randomUUID } from 'node:crypto';
import { listen, Router, routerHandler, type EmulatorRequest, type EmulatorResponse, type Listening } from './http.js';

type Json = Record<string, unknown>;
type PropertySchema = { id: string; name: string; type: string; config: Json };
type DataSource = { id: string; databaseId: string; title: string; properties: Map<string, PropertySchema>; created: string };
type Database = { id: string; parentPageId: string; title: string; dataSourceIds: string[]; created: string };
type Page = {
  id: string;
  parent: { dataSourceId: string } | { pageId: string } | null;
  properties: Record<string, Json>;
  created: string;
  lastEdited: string;
  inTrash: boolean;
  title: string;
};
type Comment = { id: string; pageId: string; text: string; created: string };

export type NotionFault = {
  status: 409 | 429 | 500 | 502 | 503;
  retryAfterSeconds?: number;
  match?: { method?: string; pathIncludes?: string; bodyIncludes?: string };
};

/** Run after a matching request is processed and before its answer leaves, so a test can crash the caller in between. */
export type NotionHold = { method: string; pathIncludes?: string; bodyIncludes?: string; once: boolean; run: () => Promise<void> };

export type NotionEmulatorOptions = {
  token: string;
  now?: () => Date;
  botUserId?: string;
  /** Notion's rate limit: an average of `perSecond` requests with bursts of `burst`, answered 429 beyond. */
  rateLimit?: { perSecond: number; burst: number };
};

const VALUE_TYPES = new Set([
  'title',
  'rich_text',
  'number',
  'select',
  'status',
  'date',
  'url',
  'email',
  'checkbox',
  'relation',
  'multi_select',
  'people',
  'phone_number',
]);
const COLORS = ['default', 'gray', 'brown', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'red'];

class NotionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class NotionEmulator {
  readonly databases = new Map<string, Database>();
  readonly dataSources = new Map<string, DataSource>();
  readonly pages = new Map<string, Page>();
  readonly comments: Comment[] = [];
  /** Every request as it arrived, for tests that check pacing. */
  readonly requests: { at: number; method: string; path: string; status: number; filter?: unknown }[] = [];
  readonly #faults: NotionFault[] = [];
  readonly #holds: NotionHold[] = [];
  readonly #token: string;
  readonly #botUserId: string;
  now: () => Date;

  constructor(options: NotionEmulatorOptions) {
    this.#token = options.token;
    this.rateLimit = options.rateLimit ?? null;
    this.now = options.now ?? (() => new Date());
    this.#botUserId = options.botUserId ?? randomUUID();
  }

  /** The next matching requests fail with these answers, in order. */
  injectFaults(...faults: NotionFault[]): void {
    this.#faults.push(...faults);
  }

  hold(hold: NotionHold): void {
    this.#holds.push(hold);
  }

  /** A workspace page that databases can be created under (what a founder shares with the integration). */
  createWorkspacePage(title: string): string {
    const id = randomUUID();
    const at = this.#stamp();
    this.pages.set(id, { id, parent: null, properties: {}, created: at, lastEdited: at, inTrash: false, title });
    return id;
  }

  /** Founder-side edit, as if typed in Notion: goes through the same validation as the API. */
  editPage(pageId: string, properties: Json): void {
    this.#updatePage(pageId, { properties });
  }

  /** The founder deletes a row: it goes to the trash, out of every query. */
  trashPage(pageId: string): void {
    this.#updatePage(pageId, { in_trash: true });
  }

  /** A row typed straight into a table, as the founder does in Notion. */
  createRow(databaseId: string, properties: Json): string {
    const page = this.#createPage({ parent: { data_source_id: this.dataSourceOf(databaseId) }, properties });
    return String(page.id);
  }

  commentsOn(pageId: string): string[] {
    const id = normalizeId(pageId);
    return this.comments.filter((c) => c.pageId === id).map((c) => c.text);
  }

  pageValues(pageId: string): Record<string, unknown> {
    const page = this.pages.get(normalizeId(pageId));
    if (!page) throw new Error(`no page ${pageId}`);
    return Object.fromEntries(Object.entries(page.properties).map(([name, v]) => [name, plainValue(v)]));
  }

  dataSourceOf(databaseId: string): string {
    const db = this.databases.get(normalizeId(databaseId));
    const ds = db?.dataSourceIds[0];
    if (!ds) throw new Error(`no database ${databaseId}`);
    return ds;
  }

  rowsOf(databaseId: string): string[] {
    const ds = this.dataSourceOf(databaseId);
    return [...this.pages.values()].filter((p) => p.parent && 'dataSourceId' in p.parent && p.parent.dataSourceId === ds && !p.inTrash).map((p) => p.id);
  }

  /** The Notion type of a property, or null when the table has no such property. */
  propertyType(databaseId: string, name: string): string | null {
    return this.dataSources.get(this.dataSourceOf(databaseId))?.properties.get(name)?.type ?? null;
  }

  /** Option names of a select or status property. */
  propertyOptions(databaseId: string, name: string): string[] {
    const prop = this.dataSources.get(this.dataSourceOf(databaseId))?.properties.get(name);
    return Array.isArray(prop?.config.options) ? (prop.config.options as Json[]).map((o) => String(o.name)) : [];
  }

  /** Drops a property from a data source, to test schema checks. */
  removeProperty(databaseId: string, name: string): void {
    this.dataSources.get(this.dataSourceOf(databaseId))?.properties.delete(name);
  }

  changePropertyType(databaseId: string, name: string, type: string): void {
    const prop = this.dataSources.get(this.dataSourceOf(databaseId))?.properties.get(name);
    if (prop) {
      prop.type = type;
      prop.config = {};
    }
  }

  async listen(port = 0): Promise<Listening> {
    return listen(this.handler(), port);
  }

  handler(): ReturnType<typeof routerHandler> {
    const router = new Router()
      .add('GET', '/v1/users/me', () =>
        ok({
          object: 'user',
          id: this.#botUserId,
          type: 'bot',
          name: 'Cashin',
          avatar_url: null,
          bot: { owner: { type: 'workspace', workspace: true }, workspace_name: 'Emulated workspace' },
        }),
      )
      .add('POST', '/v1/databases', (r) => ok(this.#createDatabase(json(r))))
      .add('GET', '/v1/databases/:id', (r) => ok(this.#databaseJson(this.#database(r.params.id))))
      .add('GET', '/v1/data_sources/:id', (r) => ok(this.#dataSourceJson(this.#dataSource(r.params.id))))
      .add('POST', '/v1/data_sources/:id/query', (r) => ok(this.#query(this.#dataSource(r.params.id), json(r), r.query)))
      .add('POST', '/v1/pages', (r) => ok(this.#createPage(json(r))))
      .add('GET', '/v1/pages/:id', (r) => ok(this.#pageJson(this.#page(r.params.id))))
      .add('PATCH', '/v1/pages/:id', (r) => ok(this.#pageJson(this.#updatePage(r.params.id ?? '', json(r)))))
      .add('POST', '/v1/comments', (r) => ok(this.#createComment(json(r))))
      .add('GET', '/v1/comments', (r) => ok(this.#listComments(r.query)));
    return routerHandler(router, {
      notFound: (r) => notionError(new NotionError(400, 'invalid_request_url', `Invalid request URL: ${r.method} ${r.path}`)),
      before: (r) => this.#gate(r),
      onError: (error) => (error instanceof NotionError ? notionError(error) : null),
      onResponse: async (r, response) => {
        const filter = r.path.endsWith('/query') ? (tryJson(r.rawBody)?.filter ?? null) : undefined;
        this.requests.push({ at: r.receivedAt, method: r.method, path: r.path, status: response.status, ...(filter === undefined ? {} : { filter }) });
        const hold = this.#holds.find(
          (h) => h.method === r.method && (!h.pathIncludes || r.path.includes(h.pathIncludes)) && (!h.bodyIncludes || r.rawBody.includes(h.bodyIncludes)),
        );
        if (!hold) return;
        if (hold.once) this.#holds.splice(this.#holds.indexOf(hold), 1);
        await hold.run();
      },
      // Notion's answers carry its own clock, which a poller can trust more than its own.
      headers: () => ({ date: this.now().toUTCString() }),
    });
  }

  #gate(r: EmulatorRequest): EmulatorResponse | null {
    if (r.headers.authorization !== `Bearer ${this.#token}`) {
      return notionError(new NotionError(401, 'unauthorized', 'API token is invalid.'));
    }
    if (!r.headers['notion-version']) {
      return notionError(new NotionError(400, 'missing_version', 'Notion-Version header failed validation: Notion-Version header should be defined.'));
    }
    const limited = this.#rateLimited();
    if (limited) return limited;
    const index = this.#faults.findIndex(
      (f) =>
        (!f.match?.method || f.match.method === r.method) &&
        (!f.match?.pathIncludes || r.path.includes(f.match.pathIncludes)) &&
        (!f.match?.bodyIncludes || r.rawBody.includes(f.match.bodyIncludes)),
    );
    if (index >= 0) {
      const [fault] = this.#faults.splice(index, 1);
      if (fault) return faultResponse(fault);
    }
    return null;
  }

  #tokens = 0;
  #refilledAt = 0;

  /** A token bucket in real time, like Notion's: averages hold, short bursts pass. */
  #rateLimited(): EmulatorResponse | null {
    const limit = this.rateLimit;
    if (!limit) return null;
    const now = Date.now();
    if (this.#refilledAt === 0) this.#tokens = limit.burst;
    this.#tokens = Math.min(limit.burst, this.#tokens + ((now - (this.#refilledAt || now)) / 1000) * limit.perSecond);
    this.#refilledAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return null;
    }
    this.rateLimitedCount += 1;
    return faultResponse({ status: 429, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.#tokens) / limit.perSecond)) });
  }

  /** How many requests were refused for going over the rate limit. */
  rateLimitedCount = 0;

  /** Notion's rate limit, when the emulator enforces one; it can be switched on and off. */
  rateLimit: NotionEmulatorOptions['rateLimit'] | null = null;

  #stamp(): string {
    const at = this.now();
    // Notion rounds last_edited_time down to the minute.
    return new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
  }

  #database(id: string | undefined): Database {
    const db = this.databases.get(normalizeId(id ?? ''));
    if (!db)
      throw new NotionError(
        404,
        'object_not_found',
        `Could not find database with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
      );
    return db;
  }

  #dataSource(id: string | undefined): DataSource {
    const ds = this.dataSources.get(normalizeId(id ?? ''));
    if (!ds)
      throw new NotionError(
        404,
        'object_not_found',
        `Could not find data_source with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
      );
    return ds;
  }

  #page(id: string | undefined): Page {
    const page = this.pages.get(normalizeId(id ?? ''));
    if (!page)
      throw new NotionError(
        404,
        'object_not_found',
        `Could not find page with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
      );
    return page;
  }

  #createDatabase(body: Json): Json {
    const parent = body.parent as Json | undefined;
    if (parent?.type !== 'page_id' || typeof parent.page_id !== 'string') throw validation('body.parent.page_id should be defined');
    this.#page(parent.page_id);
    const initial = (body.initial_data_source as Json | undefined)?.properties as Json | undefined;
    if (!initial || typeof initial !== 'object') throw validation('body.initial_data_source.properties should be defined');
    const title = richTextPlain(body.title);
    const db: Database = { id: randomUUID(), parentPageId: normalizeId(parent.page_id), title, dataSourceIds: [], created: this.#stamp() };
    const ds: DataSource = { id: randomUUID(), databaseId: db.id, title, properties: new Map(), created: db.created };
    for (const [name, raw] of Object.entries(initial)) ds.properties.set(name, this.#propertySchema(name, raw));
    if (![...ds.properties.values()].some((p) => p.type === 'title')) throw validation('A database must have exactly one title property.');
    db.dataSourceIds.push(ds.id);
    this.databases.set(db.id, db);
    this.dataSources.set(ds.id, ds);
    return this.#databaseJson(db);
  }

  #propertySchema(name: string, raw: unknown): PropertySchema {
    if (!raw || typeof raw !== 'object') throw validation(`body.initial_data_source.properties.${name} should be an object`);
    const entries = Object.entries(raw as Json).filter(([k]) => k !== 'type' && k !== 'name' && k !== 'description');
    const [type, config] = entries[0] ?? [];
    if (!type || !VALUE_TYPES.has(type)) throw validation(`body.initial_data_source.properties.${name} has an unsupported type "${type ?? ''}"`);
    const cfg = (config ?? {}) as Json;
    if (type === 'relation') {
      const target = cfg.data_source_id;
      if (typeof target !== 'string') throw validation(`body.initial_data_source.properties.${name}.relation.data_source_id should be defined`);
      this.#dataSource(target);
    }
    if (type === 'select' || type === 'status' || type === 'multi_select') {
      const options = Array.isArray(cfg.options) ? (cfg.options as Json[]) : [];
      cfg.options = options.map((o, i) => ({ id: randomUUID(), name: String(o.name), color: String(o.color ?? COLORS[i % COLORS.length]), description: null }));
    }
    return { id: randomUUID().slice(0, 8), name, type, config: cfg };
  }

  #databaseJson(db: Database): Json {
    return {
      object: 'database',
      id: db.id,
      title: richText(db.title),
      description: [],
      parent: { type: 'page_id', page_id: db.parentPageId },
      is_inline: false,
      in_trash: false,
      is_locked: false,
      created_time: db.created,
      last_edited_time: db.created,
      data_sources: db.dataSourceIds.map((id) => ({ id, name: this.dataSources.get(id)?.title ?? '' })),
      icon: null,
      cover: null,
      url: `https://www.notion.so/${db.id.replace(/-/g, '')}`,
      public_url: null,
    };
  }

  #dataSourceJson(ds: DataSource): Json {
    const properties: Json = {};
    for (const p of ds.properties.values()) properties[p.name] = { id: p.id, name: p.name, description: null, type: p.type, [p.type]: p.config };
    return {
      object: 'data_source',
      id: ds.id,
      title: richText(ds.title),
      description: [],
      parent: { type: 'database_id', database_id: ds.databaseId },
      database_parent: { type: 'page_id', page_id: this.databases.get(ds.databaseId)?.parentPageId },
      is_inline: false,
      archived: false,
      in_trash: false,
      created_time: ds.created,
      last_edited_time: ds.created,
      created_by: this.#user(),
      last_edited_by: this.#user(),
      properties,
      icon: null,
      cover: null,
      url: `https://www.notion.so/${ds.id.replace(/-/g, '')}`,
      public_url: null,
    };
  }

  #user(): Json {
    return { object: 'user', id: this.#botUserId };
  }

  #createPage(body: Json): Json {
    const parent = body.parent as Json | undefined;
    const dsId = parent?.data_source_id;
    if (typeof dsId !== 'string') throw validation('body.parent.data_source_id should be defined');
    const ds = this.#dataSource(dsId);
    const at = this.#stamp();
    const page: Page = { id: randomUUID(), parent: { dataSourceId: ds.id }, properties: {}, created: at, lastEdited: at, inTrash: false, title: '' };
    for (const schema of ds.properties.values()) page.properties[schema.name] = emptyValue(schema);
    this.#applyProperties(page, ds, (body.properties ?? {}) as Json);
    this.pages.set(page.id, page);
    return this.#pageJson(page);
  }

  #updatePage(id: string, body: Json): Page {
    const page = this.#page(id);
    if (page.inTrash) throw validation("Can't edit block that is archived. You must unarchive the block before editing.");
    const ds = page.parent && 'dataSourceId' in page.parent ? this.#dataSource(page.parent.dataSourceId) : null;
    if (body.properties !== undefined) {
      if (!ds) throw validation('This page has no data source properties to update.');
      this.#applyProperties(page, ds, body.properties as Json);
    }
    if (typeof body.in_trash === 'boolean') page.inTrash = body.in_trash;
    page.lastEdited = this.#stamp();
    return page;
  }

  #applyProperties(page: Page, ds: DataSource, input: Json): void {
    const staged: Record<string, Json> = {};
    for (const [key, raw] of Object.entries(input)) {
      const schema = ds.properties.get(key) ?? [...ds.properties.values()].find((p) => p.id === key);
      if (!schema) throw validation(`${key} is not a property that exists.`);
      staged[schema.name] = this.#value(schema, raw);
    }
    Object.assign(page.properties, staged);
  }

  #value(schema: PropertySchema, raw: unknown): Json {
    if (!raw || typeof raw !== 'object') throw validation(`body.properties.${schema.name} should be an object`);
    const given = Object.keys(raw as Json).filter((k) => k !== 'type' && k !== 'id');
    if (given.length !== 1 || given[0] !== schema.type) {
      throw validation(`${schema.name} is expected to be ${schema.type}.`);
    }
    const v = (raw as Json)[schema.type];
    const base = { id: schema.id, type: schema.type };
    const path = `body.properties.${schema.name}.${schema.type}`;
    switch (schema.type) {
      case 'title':
      case 'rich_text':
        return { ...base, [schema.type]: richTextInput(v, path) };
      case 'number':
        if (v !== null && (typeof v !== 'number' || !Number.isFinite(v)))
          throw validation(`${path} should be a number or \`null\`, instead was \`${JSON.stringify(v)}\`.`);
        return { ...base, number: v };
      case 'checkbox':
        if (typeof v !== 'boolean') throw validation(`${path} should be a boolean, instead was \`${JSON.stringify(v)}\`.`);
        return { ...base, checkbox: v };
      case 'url':
      case 'email':
      case 'phone_number':
        if (v !== null && typeof v !== 'string') throw validation(`${path} should be a string or \`null\`.`);
        if (typeof v === 'string' && v.length > 2000) throw validation(`${path}.length should be ≤ \`2000\`, instead was \`${v.length}\`.`);
        return { ...base, [schema.type]: v === '' ? null : v };
      case 'date':
        return { ...base, date: dateInput(v, path) };
      case 'select':
      case 'status':
        return { ...base, [schema.type]: this.#option(schema, v, path) };
      case 'relation': {
        if (!Array.isArray(v)) throw validation(`${path} should be an array.`);
        const ids = v.map((r: Json) => {
          const target = this.pages.get(normalizeId(String(r?.id ?? '')));
          if (!target) throw validation(`${path}: page ${String(r?.id)} does not exist or is not shared with the integration.`);
          return { id: target.id };
        });
        return { ...base, relation: ids, has_more: false };
      }
      default:
        throw validation(`${schema.type} properties are read-only in this emulator.`);
    }
  }

  #option(schema: PropertySchema, v: unknown, path: string): Json | null {
    if (v === null) return null;
    const name = (v as Json | undefined)?.name;
    if (typeof name !== 'string' || name === '') throw validation(`${path}.name should be a non-empty string.`);
    if (name.length > 100) throw validation(`${path}.name.length should be ≤ \`100\`.`);
    if (name.includes(',')) throw validation(`${path}.name cannot contain commas.`);
    const options = schema.config.options as Json[];
    let option = options.find((o) => o.name === name);
    if (!option) {
      if (schema.type === 'status') throw validation(`Invalid status option. Status option "${name}" does not exist.`);
      option = { id: randomUUID(), name, color: COLORS[options.length % COLORS.length], description: null };
      options.push(option);
    }
    return { id: option.id, name: option.name, color: option.color };
  }

  #pageJson(page: Page): Json {
    const parent =
      page.parent === null
        ? { type: 'workspace', workspace: true }
        : 'dataSourceId' in page.parent
          ? { type: 'data_source_id', data_source_id: page.parent.dataSourceId, database_id: this.dataSources.get(page.parent.dataSourceId)?.databaseId }
          : { type: 'page_id', page_id: page.parent.pageId };
    return {
      object: 'page',
      id: page.id,
      created_time: page.created,
      last_edited_time: page.lastEdited,
      created_by: this.#user(),
      last_edited_by: this.#user(),
      cover: null,
      icon: null,
      parent,
      archived: page.inTrash,
      in_trash: page.inTrash,
      is_locked: false,
      properties: page.properties,
      url: `https://www.notion.so/${page.id.replace(/-/g, '')}`,
      public_url: null,
    };
  }

  #query(ds: DataSource, body: Json, query: URLSearchParams): Json {
    const pageSize = body.page_size ?? 100;
    if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      throw validation('body.page_size should be a number between 1 and 100.');
    }
    for (const key of Object.keys(body)) {
      if (!['filter', 'sorts', 'page_size', 'start_cursor', 'in_trash', 'result_type'].includes(key))
        throw validation(`body.${key} is not a valid query parameter.`);
    }
    const wanted = query.getAll('filter_properties[]').concat(query.getAll('filter_properties'));
    const filter = body.filter as Json | undefined;
    let rows = [...this.pages.values()].filter((p) => p.parent && 'dataSourceId' in p.parent && p.parent.dataSourceId === ds.id && !p.inTrash);
    if (filter) rows = rows.filter((p) => this.#matches(p, ds, filter));
    rows = this.#sort(rows, body.sorts);
    const start = typeof body.start_cursor === 'string' ? rows.findIndex((p) => p.id === body.start_cursor) : 0;
    if (start < 0) throw validation('body.start_cursor is not a valid cursor.');
    const slice = rows.slice(start, start + pageSize);
    const next = rows[start + pageSize];
    return {
      object: 'list',
      type: 'page_or_data_source',
      page_or_data_source: {},
      results: slice.map((p) => this.#filterProperties(this.#pageJson(p), ds, wanted)),
      next_cursor: next ? next.id : null,
      has_more: next !== undefined,
    };
  }

  #filterProperties(page: Json, ds: DataSource, wanted: string[]): Json {
    if (wanted.length === 0) return page;
    const keep = new Set(wanted.map((w) => ds.properties.get(w)?.name ?? [...ds.properties.values()].find((p) => p.id === w)?.name ?? w));
    const properties = Object.fromEntries(Object.entries(page.properties as Json).filter(([name]) => keep.has(name)));
    return { ...page, properties };
  }

  #sort(rows: Page[], sorts: unknown): Page[] {
    if (sorts === undefined) return rows.sort((a, b) => b.created.localeCompare(a.created));
    if (!Array.isArray(sorts)) throw validation('body.sorts should be an array.');
    const [first] = sorts as Json[];
    if (!first) return rows;
    const dir = first.direction === 'descending' ? -1 : 1;
    if (first.timestamp === 'last_edited_time') return rows.sort((a, b) => dir * a.lastEdited.localeCompare(b.lastEdited));
    if (first.timestamp === 'created_time') return rows.sort((a, b) => dir * a.created.localeCompare(b.created));
    throw validation('body.sorts[0] should sort by a timestamp in this emulator.');
  }

  #matches(page: Page, ds: DataSource, filter: Json): boolean {
    if (Array.isArray(filter.and)) return (filter.and as Json[]).every((f) => this.#matches(page, ds, f));
    if (Array.isArray(filter.or)) return (filter.or as Json[]).some((f) => this.#matches(page, ds, f));
    if (filter.timestamp === 'last_edited_time' || filter.timestamp === 'created_time') {
      const cond = filter[filter.timestamp] as Json | undefined;
      const value = filter.timestamp === 'last_edited_time' ? page.lastEdited : page.created;
      return compareDates(value, cond);
    }
    if (typeof filter.property !== 'string') throw validation('body.filter should have a property, timestamp, and or or.');
    const schema = ds.properties.get(filter.property);
    if (!schema) throw validation(`Could not find property with name or id: ${filter.property}`);
    const cond = filter[schema.type] as Json | undefined;
    if (!cond) throw validation(`body.filter.${schema.type} should be defined for a ${schema.type} property.`);
    const plain = plainValue(page.properties[schema.name] ?? emptyValue(schema));
    return matchCondition(plain, cond, schema.type);
  }

  #createComment(body: Json): Json {
    const parent = body.parent as Json | undefined;
    if (typeof parent?.page_id !== 'string') throw validation('body.parent.page_id should be defined (discussion replies are not emulated).');
    const page = this.#page(parent.page_id);
    const text = richTextInput(body.rich_text, 'body.rich_text')
      .map((t) => String((t.text as Json).content))
      .join('');
    const comment: Comment = { id: randomUUID(), pageId: page.id, text, created: this.now().toISOString() };
    this.comments.push(comment);
    return this.#commentJson(comment);
  }

  #commentJson(c: Comment): Json {
    return {
      object: 'comment',
      id: c.id,
      parent: { type: 'page_id', page_id: c.pageId },
      discussion_id: c.id,
      created_time: c.created,
      last_edited_time: c.created,
      created_by: this.#user(),
      rich_text: richText(c.text),
    };
  }

  #listComments(query: URLSearchParams): Json {
    const blockId = query.get('block_id');
    if (!blockId) throw validation('block_id should be defined.');
    const page = this.#page(blockId);
    return {
      object: 'list',
      type: 'comment',
      comment: {},
      results: this.comments.filter((c) => c.pageId === page.id).map((c) => this.#commentJson(c)),
      next_cursor: null,
      has_more: false,
    };
  }
}

function ok(body: Json): EmulatorResponse {
  return { status: 200, body };
}

function json(r: EmulatorRequest): Json {
  if (r.rawBody === '') return {};
  try {
    const parsed: unknown = JSON.parse(r.rawBody);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Json;
  } catch {
    throw new NotionError(400, 'invalid_json', 'Error parsing JSON body.');
  }
}

function tryJson(text: string): Json | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : null;
  } catch {
    return null;
  }
}

function validation(message: string): NotionError {
  return new NotionError(400, 'validation_error', message);
}

export function notionError(e: NotionError): EmulatorResponse {
  return { status: e.status, body: { object: 'error', status: e.status, code: e.code, message: e.message, request_id: randomUUID() } };
}

function faultResponse(fault: NotionFault): EmulatorResponse {
  if (fault.status === 429) {
    return {
      status: 429,
      headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
      body: { object: 'error', status: 429, code: 'rate_limited', message: 'You have been rate limited. Please try again in a few minutes.' },
    };
  }
  if (fault.status === 409) {
    return { status: 409, body: { object: 'error', status: 409, code: 'conflict_error', message: 'Conflict occurred while saving. Please try again.' } };
  }
  const code = fault.status === 503 ? 'service_unavailable' : 'internal_server_error';
  return { status: fault.status, body: { object: 'error', status: fault.status, code, message: 'Unexpected error occurred.' } };
}

function normalizeId(id: string): string {
  const hex = id.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return id;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function richText(content: string): Json[] {
  if (content === '') return [];
  return [
    {
      type: 'text',
      text: { content, link: null },
      annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
      plain_text: content,
      href: null,
    },
  ];
}

function richTextInput(v: unknown, path: string): Json[] {
  if (!Array.isArray(v)) throw validation(`${path} should be an array.`);
  if (v.length > 100) throw validation(`${path}.length should be ≤ \`100\`, instead was \`${v.length}\`.`);
  return v.flatMap((item: Json, i) => {
    const text = item?.text as Json | undefined;
    if (typeof text?.content !== 'string') throw validation(`${path}[${i}].text.content should be defined.`);
    if (text.content.length > 2000) throw validation(`${path}[${i}].text.content.length should be ≤ \`2000\`, instead was \`${text.content.length}\`.`);
    return richText(text.content);
  });
}

function richTextPlain(v: unknown): string {
  return Array.isArray(v) ? v.map((t: Json) => String((t?.text as Json | undefined)?.content ?? t?.plain_text ?? '')).join('') : '';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function dateInput(v: unknown, path: string): Json | null {
  if (v === null) return null;
  const start = (v as Json | undefined)?.start;
  if (typeof start !== 'string' || !ISO_DATE.test(start) || Number.isNaN(Date.parse(start))) {
    throw validation(`${path}.start should be a valid ISO 8601 date string, instead was \`${JSON.stringify(start)}\`.`);
  }
  const end = (v as Json).end ?? null;
  return { start, end, time_zone: null };
}

function emptyValue(schema: PropertySchema): Json {
  const base = { id: schema.id, type: schema.type };
  switch (schema.type) {
    case 'title':
    case 'rich_text':
    case 'multi_select':
    case 'people':
      return { ...base, [schema.type]: [] };
    case 'checkbox':
      return { ...base, checkbox: false };
    case 'relation':
      return { ...base, relation: [], has_more: false };
    default:
      return { ...base, [schema.type]: null };
  }
}

/** A property value reduced to what a test or filter compares: text, number, name, id list. */
function plainValue(v: Json | undefined): unknown {
  if (!v) return null;
  const type = v.type as string;
  const inner = v[type];
  switch (type) {
    case 'title':
    case 'rich_text':
      return (inner as Json[]).map((t) => String(t.plain_text)).join('');
    case 'select':
    case 'status':
      return inner ? (inner as Json).name : null;
    case 'date':
      return inner ? (inner as Json).start : null;
    case 'relation':
      return (inner as Json[]).map((r) => r.id);
    default:
      return inner;
  }
}

function compareDates(value: string, cond: Json | undefined): boolean {
  if (!cond) throw validation('body.filter timestamp condition should be defined.');
  const v = Date.parse(value);
  const [op, raw] = Object.entries(cond)[0] ?? [];
  const target = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(target)) throw validation('body.filter date condition should be an ISO 8601 date.');
  switch (op) {
    case 'on_or_after':
      return v >= target;
    case 'after':
      return v > target;
    case 'before':
      return v < target;
    case 'on_or_before':
      return v <= target;
    case 'equals':
      return v === target;
    default:
      throw validation(`Unsupported date filter condition: ${op}`);
  }
}

function matchCondition(value: unknown, cond: Json, type: string): boolean {
  const [op, target] = Object.entries(cond)[0] ?? [];
  const empty = value === null || value === '' || (Array.isArray(value) && value.length === 0);
  switch (op) {
    case 'is_empty':
      return empty;
    case 'is_not_empty':
      return !empty;
    case 'equals':
      return value === target;
    case 'does_not_equal':
      return value !== target;
    case 'contains':
      return Array.isArray(value) ? value.includes(normalizeId(String(target))) : String(value ?? '').includes(String(target));
    default:
      throw validation(`Unsupported ${type} filter condition: ${op}`);
  }
}
