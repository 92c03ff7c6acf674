/**
 * A stateful emulator of Slack for Cashin: the Web API methods the bot calls (with Block Kit
 * validated against Slack's limits), and the platform side that delivers a founder's clicks,
 * modal submissions and slash commands to the bot, signed over HTTP or as Socket Mode envelopes.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { SLACK_LIMITS } from '../slack/blocks/limits.js';
import { listen, Router, routerHandler, type EmulatorRequest, type EmulatorResponse, type Listening } from './http.js';

type Json = Record<string, unknown>;

/** Slack's event metadata on a message. */
export type MessageMetadata = { event_type: string; event_payload: Json };
export type SlackMessage = {
  ts: string;
  channel: string;
  text: string;
  blocks: Json[];
  user: string;
  edited: boolean;
  updates: number;
  /** The parent's ts when this is a reply in a thread; null for a top-level message. */
  threadTs: string | null;
  /** A reply also sent to the channel (reply_broadcast). */
  broadcast: boolean;
  metadata: MessageMetadata | null;
  /** Ids of files shared with this message (files.completeUploadExternal). */
  files?: string[];
};
/** A file shared through files.getUploadURLExternal, the upload URL and files.completeUploadExternal. */
export type SharedFile = {
  id: string;
  title: string;
  filename: string;
  bytes: Buffer;
  channel: string | null;
  initial_comment: string | null;
  threadTs: string | null;
  created: number;
};
/** Run after a call to `method` is processed and before its answer leaves, so a test can kill the bot in between. */
export type SlackHold = { method: string; once: boolean; run: () => Promise<void> };
export type Ephemeral = { channel: string; user: string; text: string; blocks: Json[] };
export type OpenView = { id: string; user: string; view: Json; closed: boolean };

export type SlackEmulatorOptions = {
  botToken: string;
  appToken?: string;
  signingSecret?: string;
  channels: string[];
  /** Channels the bot was invited to; all of `channels` when not given. */
  memberOf?: string[];
  users?: string[];
  teamId?: string;
};

export type Delivery = { status: number; body: string };

type PendingUpload = { fileId: string; filename: string; length: number; bytes: Buffer | null };

/** Largest body the emulated upload URL reads. */
const UPLOAD_LIMIT = 50 * 1024 * 1024;

class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly messages: string[] = [],
  ) {
    super(error);
  }
}

export class SlackEmulator {
  readonly messages: SlackMessage[] = [];
  readonly ephemerals: Ephemeral[] = [];
  readonly views: OpenView[] = [];
  readonly calls: { method: string; ok: boolean; error?: string }[] = [];
  /** Home tab views published per user (views.publish). */
  readonly homeViews = new Map<string, Json>();
  /** Files shared by id. */
  readonly files = new Map<string, SharedFile>();
  /** Uploads started with files.getUploadURLExternal, by upload URL ticket. */
  readonly #uploads = new Map<string, PendingUpload>();
  readonly #holds: SlackHold[] = [];
  readonly #options: SlackEmulatorOptions;
  readonly #teamId: string;
  readonly #botUserId = 'UBOTCASHIN';
  readonly #triggers = new Map<string, { user: string; at: number }>();
  readonly #sockets = new Set<WebSocket>();
  readonly #pendingAcks = new Map<string, (payload: Json) => void>();
  readonly #stalls = new Map<string, Promise<void>>();
  readonly #failures: { method: string; error: string }[] = [];
  #tsCounter = 0;
  #listening: Listening | null = null;
  /** Where HTTP-mode deliveries go: the bot's /slack/events. */
  requestUrl: string | null = null;
  /** The clock message timestamps (ts) are taken from; tests set it to the bot's clock, as Slack's agrees with a real one. */
  now: () => Date = () => new Date();

  constructor(options: SlackEmulatorOptions) {
    this.#options = options;
    this.#teamId = options.teamId ?? 'TCASHIN01';
  }

  get url(): string {
    if (!this.#listening) throw new Error('SlackEmulator is not listening');
    return this.#listening.url;
  }

  /** The value for SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async listen(port = 0): Promise<Listening> {
    const listening = await listen(this.handler(), port);
    this.#listening = listening;
    const wss = new WebSocketServer({ noServer: true });
    listening.server.on('upgrade', (req: IncomingMessage, socket, head) => {
      if (!(req.url ?? '').startsWith('/link')) return socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => this.#onSocket(ws));
    });
    const close = listening.close;
    return {
      ...listening,
      close: async () => {
        for (const ws of this.#sockets) ws.terminate();
        wss.close();
        await close();
      },
    };
  }

  /** Calls to `method` get no answer until `until` settles, as when Slack hangs. */
  stall(method: string, until: Promise<void>): void {
    this.#stalls.set(
      method,
      until.finally(() => this.#stalls.delete(method)),
    );
  }

  get socketConnections(): number {
    return this.#sockets.size;
  }

  hold(hold: SlackHold): void {
    this.#holds.push(hold);
  }

  /** The next `count` calls of `method` fail with `error` (as Slack answers `{ ok: false, error }`), changing nothing. */
  failNext(method: string, error: string, count = 1): void {
    for (let i = 0; i < count; i += 1) this.#failures.push({ method, error });
  }

  /** Every message of the channel, thread replies included, in the order posted. */
  channelMessages(channel: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel);
  }

  /** What the channel itself shows, as conversations.history: messages outside threads and replies broadcast to the channel. */
  topLevel(channel: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && (m.threadTs === null || m.broadcast));
  }

  /** The replies in the thread of the message `ts` (not the parent itself), oldest first. */
  threadReplies(channel: string, ts: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === ts);
  }

  handler(): ReturnType<typeof routerHandler> {
    const router = new Router()
      .add('POST', '/api/:method', async (r) => {
        await this.#stalls.get(r.params.method ?? '');
        const failure = this.#failures.findIndex((f) => f.method === r.params.method);
        if (failure >= 0) {
          const error = this.#failures.splice(failure, 1)[0]?.error ?? 'internal_error';
          return { status: 200, body: { ok: false, error } };
        }
        return this.#api(r);
      })
      .add('POST', '/response/:channel/:user/:id', (r) => this.#respond(r));
    const routed = routerHandler(router, {
      notFound: (r) => ({ status: 404, body: { ok: false, error: 'unknown_method', detail: `${r.method} ${r.path}` } }),
      onResponse: async (r) => {
        if (!r.path.startsWith('/api/')) return;
        const hold = this.#holds.find((h) => h.method === r.params.method);
        if (!hold) return;
        if (hold.once) this.#holds.splice(this.#holds.indexOf(hold), 1);
        await hold.run();
      },
    });
    return (req, res) => {
      // File bytes are binary; the router reads bodies as text, so the upload URL is served here.
      if (req.method === 'POST' && (req.url ?? '').startsWith('/upload/v1/')) {
        void this.#receiveUpload(req, res);
        return;
      }
      routed(req, res);
    };
  }

  // ---- the platform: what a founder does in the Slack client ----

  /** Clicks a button in a message, as `userId`. */
  async click(messageTs: string, actionId: string, userId: string): Promise<Delivery> {
    const message = this.#message(messageTs);
    const found = findButton(message.blocks, actionId);
    if (!found) throw new Error(`message ${messageTs} has no button ${actionId}`);
    const action = { type: 'button', action_id: actionId, block_id: found.blockId, value: found.value, text: found.text, action_ts: `${Date.now() / 1000}` };
    return this.#deliver('interactive', this.#blockActions(message, userId, action, {}));
  }

  /**
   * Clicks a button in an ephemeral message (the n-th of `ephemerals`), as its user. Slack sends no
   * `message` then, only the container and a response_url for answering.
   */
  async clickEphemeral(n: number, actionId: string, userId: string): Promise<Delivery> {
    const ephemeral = this.ephemerals[n];
    if (!ephemeral) throw new Error(`no ephemeral message ${n}`);
    if (ephemeral.user !== userId) throw new Error(`ephemeral message ${n} was shown to ${ephemeral.user}, not ${userId}`);
    const found = findButton(ephemeral.blocks, actionId);
    if (!found) throw new Error(`ephemeral message ${n} has no button ${actionId}`);
    const action = { type: 'button', action_id: actionId, block_id: found.blockId, value: found.value, text: found.text, action_ts: `${Date.now() / 1000}` };
    const container = { type: 'message', message_ts: `${Math.floor(Date.now() / 1000)}.000000`, channel_id: ephemeral.channel, is_ephemeral: true };
    return this.#deliver('interactive', this.#actionPayload(ephemeral.channel, userId, container, action, {}));
  }

  /** Picks a date in a datepicker of a message's actions block, as `userId`. */
  async pickDate(messageTs: string, actionId: string, date: string, userId: string): Promise<Delivery> {
    if (!isDate(date)) throw new Error(`${date} is not a YYYY-MM-DD date`);
    const message = this.#message(messageTs);
    const found = findElement(message.blocks, actionId, ['datepicker']);
    if (!found) throw new Error(`message ${messageTs} has no datepicker ${actionId}`);
    const action = {
      type: 'datepicker',
      action_id: actionId,
      block_id: found.blockId,
      selected_date: date,
      ...(typeof found.element.initial_date === 'string' ? { initial_date: found.element.initial_date } : {}),
      action_ts: `${Date.now() / 1000}`,
    };
    const state = { [found.blockId]: { [actionId]: { type: 'datepicker', selected_date: date } } };
    return this.#deliver('interactive', this.#blockActions(message, userId, action, state));
  }

  /** Chooses the option with `value` in a static_select (or radio_buttons) of a message's actions block, as `userId`. */
  async selectOption(messageTs: string, actionId: string, value: string, userId: string): Promise<Delivery> {
    const message = this.#message(messageTs);
    const found = findElement(message.blocks, actionId, ['static_select', 'radio_buttons']);
    if (!found) throw new Error(`message ${messageTs} has no static_select ${actionId}`);
    const option = optionsOf(found.element).find((o) => o.value === value);
    if (!option) throw new Error(`${actionId} has no option with value ${value}`);
    const type = String(found.element.type);
    const selected = { text: option.text, value };
    const action = { type, action_id: actionId, block_id: found.blockId, selected_option: selected, action_ts: `${Date.now() / 1000}` };
    const state = { [found.blockId]: { [actionId]: { type, selected_option: selected } } };
    return this.#deliver('interactive', this.#blockActions(message, userId, action, state));
  }

  /** The founder opens the app's Home tab: an app_home_opened event, with the published view when there is one. */
  async openHome(userId: string): Promise<Delivery> {
    const view = this.homeViews.get(userId);
    const now = Date.now() / 1000;
    const payload = {
      token: 'legacy-verification-token',
      team_id: this.#teamId,
      api_app_id: 'ACASHIN01',
      event: { type: 'app_home_opened', user: userId, channel: `D${userId.slice(1)}`, tab: 'home', event_ts: `${now}`, ...(view ? { view } : {}) },
      type: 'event_callback',
      event_id: `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`,
      event_time: Math.floor(now),
      authorizations: [{ enterprise_id: null, team_id: this.#teamId, user_id: this.#botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
    return this.#deliver('events_api', payload);
  }

  #message(ts: string): SlackMessage {
    const message = this.messages.find((m) => m.ts === ts);
    if (!message) throw new Error(`no message ${ts}`);
    return message;
  }

  #blockActions(message: SlackMessage, userId: string, action: Json, values: Json): Json {
    const thread = message.threadTs ? { thread_ts: message.threadTs } : {};
    const container = { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false, ...thread };
    return {
      ...this.#actionPayload(message.channel, userId, container, action, values),
      message: { ts: message.ts, text: message.text, blocks: message.blocks, type: 'message', user: message.user, ...thread },
    };
  }

  /** A block_actions payload; a click in an ephemeral message carries no `message`. */
  #actionPayload(channel: string, userId: string, container: Json, action: Json, values: Json): Json {
    return {
      type: 'block_actions',
      team: { id: this.#teamId, domain: 'cashin' },
      user: { id: userId, username: userId, team_id: this.#teamId },
      api_app_id: 'ACASHIN01',
      token: 'legacy-verification-token',
      trigger_id: this.#trigger(userId),
      container,
      channel: { id: channel, name: 'billing' },
      response_url: this.#responseUrl(channel, userId),
      state: { values },
      actions: [action],
    };
  }

  /** Submits an open modal with `values` keyed by block id (= action id in Cashin's modals). */
  async submitView(viewId: string, values: Record<string, string>, userId: string): Promise<Delivery> {
    const open = this.views.find((v) => v.id === viewId && !v.closed);
    if (!open) throw new Error(`no open view ${viewId}`);
    const state: Json = {};
    for (const block of (open.view.blocks as Json[]) ?? []) {
      if (block.type !== 'input') continue;
      const element = block.element as Json;
      const blockId = String(block.block_id);
      state[blockId] = { [String(element.action_id)]: inputState(element, values[blockId], blockId) };
    }
    const payload = {
      type: 'view_submission',
      team: { id: this.#teamId, domain: 'cashin' },
      user: { id: userId, username: userId, team_id: this.#teamId },
      api_app_id: 'ACASHIN01',
      token: 'legacy-verification-token',
      trigger_id: this.#trigger(userId),
      view: { ...open.view, id: open.id, team_id: this.#teamId, state: { values: state }, hash: 'h', app_id: 'ACASHIN01', bot_id: 'BCASHIN01' },
      response_urls: [],
    };
    const delivery = await this.#deliver('interactive', payload);
    const answer = delivery.body ? safeJson(delivery.body) : {};
    if (answer.response_action !== 'errors') open.closed = true;
    return delivery;
  }

  /** The founder dismisses a modal. */
  closeView(viewId: string): void {
    const open = this.views.find((v) => v.id === viewId);
    if (!open) throw new Error(`no view ${viewId}`);
    open.closed = true;
  }

  async slashCommand(command: string, text: string, userId: string, channel: string): Promise<Delivery> {
    const payload = {
      token: 'legacy-verification-token',
      team_id: this.#teamId,
      team_domain: 'cashin',
      channel_id: channel,
      channel_name: 'billing',
      user_id: userId,
      user_name: userId,
      command,
      text,
      api_app_id: 'ACASHIN01',
      response_url: this.#responseUrl(channel, userId),
      trigger_id: this.#trigger(userId),
    };
    return this.#deliver('slash_commands', payload);
  }

  /** An HTTP-mode delivery signed with `secret` at `timestamp`, to test signature checks. */
  async deliverRaw(body: string, contentType: string, options: { secret?: string; timestamp?: number } = {}): Promise<Delivery> {
    if (!this.requestUrl) throw new Error('requestUrl is not set');
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const secret = options.secret ?? this.#options.signingSecret ?? '';
    const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const response = await fetch(this.requestUrl, {
      method: 'POST',
      headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature },
      body,
    });
    return { status: response.status, body: await response.text() };
  }

  async #deliver(type: 'interactive' | 'slash_commands' | 'events_api', payload: Json): Promise<Delivery> {
    const socket = [...this.#sockets][0];
    if (socket) {
      const envelopeId = randomUUID();
      const acked = new Promise<Json>((resolve) => this.#pendingAcks.set(envelopeId, resolve));
      const envelope =
        type === 'events_api'
          ? { envelope_id: envelopeId, type, payload, accepts_response_payload: false, retry_attempt: 0, retry_reason: '' }
          : { envelope_id: envelopeId, type, payload, accepts_response_payload: true };
      socket.send(JSON.stringify(envelope));
      const timeout = new Promise<Json>((_, reject) => setTimeout(() => reject(new Error('socket mode envelope not acknowledged within 3 s')), 3000));
      const ack = await Promise.race([acked, timeout]);
      return { status: 200, body: JSON.stringify(ack.payload ?? {}) };
    }
    // The Events API posts JSON; interactions and commands are form-encoded.
    if (type === 'events_api') return this.deliverRaw(JSON.stringify(payload), 'application/json');
    const body =
      type === 'interactive'
        ? new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
        : new URLSearchParams(Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, String(v)]))).toString();
    return this.deliverRaw(body, 'application/x-www-form-urlencoded');
  }

  #onSocket(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on('close', () => this.#sockets.delete(ws));
    ws.on('message', (data) => {
      const message = safeJson(String(data));
      const id = typeof message.envelope_id === 'string' ? message.envelope_id : null;
      const resolve = id ? this.#pendingAcks.get(id) : undefined;
      if (id && resolve) {
        this.#pendingAcks.delete(id);
        resolve(message);
      }
    });
    const pinger = setInterval(() => ws.ping(), 5000);
    ws.on('close', () => clearInterval(pinger));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.#sockets.size,
        debug_info: { host: 'cashin-emulator', build_number: 1, approximate_connection_time: 3600 },
        connection_info: { app_id: 'ACASHIN01' },
      }),
    );
  }

  /** Where an app answers an interaction later: privately to the user in that channel, or in the channel. */
  #responseUrl(channel: string, user: string): string {
    return `${this.url}/response/${encodeURIComponent(channel)}/${encodeURIComponent(user)}/${randomUUID()}`;
  }

  #respond(r: EmulatorRequest): EmulatorResponse {
    const channel = r.params.channel ?? '';
    const user = r.params.user ?? '';
    const body = safeJson(r.rawBody);
    try {
      const blocks = validateBlocks(body.blocks, SLACK_LIMITS.blocksPerMessage);
      requireText(body.text, blocks);
      if (body.response_type === 'in_channel') {
        this.messages.push({
          ts: this.#nextTs(),
          channel,
          text: String(body.text ?? ''),
          blocks,
          user: this.#botUserId,
          edited: false,
          updates: 0,
          threadTs: null,
          broadcast: false,
          metadata: null,
        });
      } else {
        this.ephemerals.push({ channel, user, text: String(body.text ?? ''), blocks });
      }
      return { status: 200, body: { ok: true } };
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      return { status: 200, body: { ok: false, error: error.error } };
    }
  }

  #trigger(user: string): string {
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e6)}.${randomUUID().slice(0, 8)}`;
    this.#triggers.set(id, { user, at: Date.now() });
    return id;
  }

  // ---- the Web API ----

  #api(r: EmulatorRequest): EmulatorResponse {
    const method = r.params.method ?? '';
    const args = parseArgs(r);
    try {
      const json = (r.headers['content-type'] ?? '').includes('application/json');
      const result = this.#call(method, args, bearer(r) ?? (typeof args.token === 'string' ? args.token : null), json);
      this.calls.push({ method, ok: true });
      return { status: 200, body: { ok: true, ...result } };
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      this.calls.push({ method, ok: false, error: error.error });
      return {
        status: 200,
        body: { ok: false, error: error.error, ...(error.messages.length > 0 ? { response_metadata: { messages: error.messages } } : {}) },
      };
    }
  }

  #call(method: string, args: Json, token: string | null, json: boolean): Json {
    if (method === 'apps.connections.open') {
      if (!token || token !== this.#options.appToken) throw new SlackApiError(token?.startsWith('xapp-') ? 'invalid_auth' : 'not_allowed_token_type');
      return { url: `${this.url.replace('http', 'ws')}/link/?ticket=${randomUUID()}&app_id=ACASHIN01` };
    }
    if (!token) throw new SlackApiError('not_authed');
    if (token !== this.#options.botToken) throw new SlackApiError('invalid_auth');
    switch (method) {
      case 'auth.test':
        return {
          url: 'https://cashin-emulated.slack.com/',
          team: 'Cashin',
          user: 'cashin',
          team_id: this.#teamId,
          user_id: this.#botUserId,
          bot_id: 'BCASHIN01',
          is_enterprise_install: false,
        };
      case 'conversations.info': {
        const channel = this.#channel(args.channel);
        return { channel: { id: channel, name: 'billing', is_channel: true, is_member: this.#isMember(channel), is_archived: false } };
      }
      case 'chat.postMessage':
        return this.#postMessage(args);
      case 'chat.update':
        return this.#update(args);
      case 'chat.postEphemeral': {
        const channel = this.#channel(args.channel);
        if (typeof args.user !== 'string' || args.user === '') throw new SlackApiError('user_not_in_channel');
        const blocks = validateBlocks(args.blocks, SLACK_LIMITS.blocksPerMessage);
        requireText(args.text, blocks);
        this.ephemerals.push({ channel, user: args.user, text: String(args.text ?? ''), blocks });
        return { message_ts: this.#nextTs() };
      }
      case 'views.open':
        return this.#openView(args);
      case 'views.publish':
        return this.#publishView(args);
      case 'conversations.history':
        return this.#history(args);
      case 'conversations.replies':
        return this.#replies(args);
      case 'files.getUploadURLExternal':
        return this.#uploadUrl(args, json);
      case 'files.completeUploadExternal':
        return this.#completeUpload(args);
      default:
        throw new SlackApiError('unknown_method');
    }
  }

  #channel(value: unknown): string {
    if (typeof value !== 'string' || value === '') throw new SlackApiError('channel_not_found');
    if (!this.#options.channels.includes(value)) throw new SlackApiError('channel_not_found');
    return value;
  }

  #isMember(channel: string): boolean {
    return (this.#options.memberOf ?? this.#options.channels).includes(channel);
  }

  #nextTs(): string {
    this.#tsCounter += 1;
    return `${Math.floor(this.now().getTime() / 1000)}.${String(this.#tsCounter).padStart(6, '0')}`;
  }

  #postMessage(args: Json): Json {
    const channel = this.#channel(args.channel);
    if (!this.#isMember(channel)) throw new SlackApiError('not_in_channel');
    const threadTs = args.thread_ts === undefined || args.thread_ts === '' ? null : this.#threadRoot(channel, args.thread_ts);
    const metadata = parseMetadata(args.metadata);
    const blocks = validateBlocks(args.blocks, SLACK_LIMITS.blocksPerMessage);
    requireText(args.text, blocks);
    const message: SlackMessage = {
      ts: this.#nextTs(),
      channel,
      text: String(args.text ?? ''),
      blocks,
      user: this.#botUserId,
      edited: false,
      updates: 0,
      threadTs,
      // reply_broadcast means nothing outside a thread.
      broadcast: threadTs !== null && flag(args.reply_broadcast),
      metadata,
    };
    this.messages.push(message);
    return { channel, ts: message.ts, message: this.#messageJson(message, true) };
  }

  /** The thread a reply goes to: its parent's ts (a reply's ts leads to the same thread). */
  #threadRoot(channel: string, ts: unknown): string {
    const parent = this.messages.find((m) => m.channel === channel && m.ts === String(ts));
    if (!parent) throw new SlackApiError('thread_not_found');
    return parent.threadTs ?? parent.ts;
  }

  /** A message as the Web API shows it; metadata only when asked for (include_all_metadata). */
  #messageJson(m: SlackMessage, withMetadata: boolean): Json {
    const replies = m.threadTs === null ? this.threadReplies(m.channel, m.ts) : [];
    const thread =
      m.threadTs !== null
        ? { thread_ts: m.threadTs, parent_user_id: this.messages.find((p) => p.ts === m.threadTs)?.user ?? m.user }
        : replies.length > 0
          ? {
              thread_ts: m.ts,
              reply_count: replies.length,
              reply_users_count: new Set(replies.map((r) => r.user)).size,
              reply_users: [...new Set(replies.map((r) => r.user))],
              latest_reply: replies.at(-1)?.ts,
            }
          : {};
    return {
      type: 'message',
      ...(m.threadTs !== null && m.broadcast ? { subtype: 'thread_broadcast' } : {}),
      ts: m.ts,
      text: m.text,
      blocks: m.blocks,
      user: m.user,
      ...(m.user === this.#botUserId ? { bot_id: 'BCASHIN01', app_id: 'ACASHIN01' } : {}),
      team: this.#teamId,
      ...thread,
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
      ...(m.files ? { files: m.files.map((id) => this.#fileJson(this.files.get(id) as SharedFile)) } : {}),
    };
  }

  /** Top-level messages and broadcast replies, newest first. */
  #history(args: Json): Json {
    const channel = this.#channel(args.channel);
    if (!this.#isMember(channel)) throw new SlackApiError('not_in_channel');
    const rows = this.topLevel(channel)
      .filter((m) => inWindow(m.ts, args))
      .reverse();
    const page = this.#page(rows, args, 100, 999, flag(args.include_all_metadata));
    return { ...page, pin_count: 0, channel_actions_ts: null, channel_actions_count: 0 };
  }

  /** A thread: the parent, then its replies, oldest first. */
  #replies(args: Json): Json {
    const channel = this.#channel(args.channel);
    if (!this.#isMember(channel)) throw new SlackApiError('not_in_channel');
    if (typeof args.ts !== 'string' || args.ts === '') throw new SlackApiError('invalid_arguments', ['[ERROR] missing required field: ts']);
    const found = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
    if (!found) throw new SlackApiError('thread_not_found');
    const root = this.messages.find((m) => m.ts === (found.threadTs ?? found.ts)) ?? found;
    const rows = [root, ...this.threadReplies(channel, root.ts)].filter((m) => inWindow(m.ts, args));
    return this.#page(rows, args, 1000, 1000, flag(args.include_all_metadata));
  }

  /** Cursor pagination: the cursor names the ts the next page starts at. */
  #page(rows: SlackMessage[], args: Json, byDefault: number, max: number, withMetadata: boolean): Json {
    const limit = args.limit === undefined || args.limit === '' ? byDefault : Number(args.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new SlackApiError('invalid_limit');
    const size = Math.min(limit === 0 ? byDefault : limit, max);
    let start = 0;
    if (typeof args.cursor === 'string' && args.cursor !== '') {
      const ts = Buffer.from(args.cursor, 'base64')
        .toString('utf8')
        .replace(/^next_ts:/, '');
      start = rows.findIndex((m) => m.ts === ts);
      if (start < 0) throw new SlackApiError('invalid_cursor');
    }
    const page = rows.slice(start, start + size);
    const next = rows[start + size];
    return {
      messages: page.map((m) => this.#messageJson(m, withMetadata)),
      has_more: next !== undefined,
      response_metadata: { next_cursor: next ? Buffer.from(`next_ts:${next.ts}`).toString('base64') : '' },
    };
  }

  #update(args: Json): Json {
    const channel = this.#channel(args.channel);
    const message = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
    if (!message) throw new SlackApiError('message_not_found');
    const blocks = validateBlocks(args.blocks, SLACK_LIMITS.blocksPerMessage);
    requireText(args.text, blocks);
    message.text = String(args.text ?? message.text);
    message.blocks = blocks;
    if (args.metadata !== undefined) message.metadata = parseMetadata(args.metadata);
    message.edited = true;
    message.updates += 1;
    return { channel, ts: message.ts, text: message.text };
  }

  #openView(args: Json): Json {
    const trigger = typeof args.trigger_id === 'string' ? this.#triggers.get(args.trigger_id) : undefined;
    if (!trigger) throw new SlackApiError('invalid_trigger_id');
    if (Date.now() - trigger.at > 3000) throw new SlackApiError('expired_trigger_id');
    this.#triggers.delete(String(args.trigger_id));
    const view = typeof args.view === 'string' ? safeJson(args.view) : ((args.view as Json | undefined) ?? {});
    if (view.type !== 'modal') throw new SlackApiError('invalid_arguments', ['[ERROR] view.type must be "modal"']);
    const problems = [
      ...checkPlain(view.title, 'title', SLACK_LIMITS.viewTitle),
      ...(view.submit ? checkPlain(view.submit, 'submit', SLACK_LIMITS.viewTitle) : []),
      ...(view.close ? checkPlain(view.close, 'close', SLACK_LIMITS.viewTitle) : []),
      ...(typeof view.private_metadata === 'string' && view.private_metadata.length > SLACK_LIMITS.privateMetadata
        ? ['[ERROR] private_metadata too long']
        : []),
    ];
    if (problems.length > 0) throw new SlackApiError('invalid_arguments', problems);
    validateBlocks(view.blocks, SLACK_LIMITS.blocksPerView);
    const open: OpenView = { id: `V${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`, user: trigger.user, view, closed: false };
    this.views.push(open);
    return { view: { ...view, id: open.id } };
  }

  /** A user's Home tab. A `hash` other than the current view's is a conflict, as in Slack. */
  #publishView(args: Json): Json {
    const user = args.user_id;
    if (typeof user !== 'string' || user === '') throw new SlackApiError('invalid_arguments', ['[ERROR] missing required field: user_id']);
    if (this.#options.users && !this.#options.users.includes(user)) throw new SlackApiError('user_not_found');
    const view = typeof args.view === 'string' ? safeJson(args.view) : ((args.view as Json | undefined) ?? {});
    if (view.type !== 'home') throw new SlackApiError('invalid_arguments', ['[ERROR] view.type must be "home" [json-pointer:/view/type]']);
    if (typeof view.private_metadata === 'string' && view.private_metadata.length > SLACK_LIMITS.privateMetadata)
      throw new SlackApiError('invalid_arguments', ['[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]']);
    if (typeof view.callback_id === 'string' && view.callback_id.length > 255)
      throw new SlackApiError('invalid_arguments', ['[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]']);
    const current = this.homeViews.get(user);
    if (typeof args.hash === 'string' && args.hash !== '' && current && args.hash !== current.hash) throw new SlackApiError('hash_conflict');
    const blocks = validateBlocks(view.blocks, SLACK_LIMITS.blocksPerView);
    const stored: Json = {
      ...view,
      blocks,
      id: typeof current?.id === 'string' ? current.id : `V${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`,
      team_id: this.#teamId,
      app_id: 'ACASHIN01',
      bot_id: 'BCASHIN01',
      state: { values: {} },
      hash: `${Math.floor(Date.now() / 1000)}.${randomUUID().slice(0, 8)}`,
    };
    this.homeViews.set(user, stored);
    return { view: stored };
  }

  /** Step 1 of files.uploadV2. Slack takes these arguments form-encoded only. */
  #uploadUrl(args: Json, json: boolean): Json {
    if (json) throw new SlackApiError('invalid_arguments', ['[ERROR] missing required field: filename', '[ERROR] missing required field: length']);
    if (typeof args.filename !== 'string' || args.filename === '') throw new SlackApiError('invalid_arguments', ['[ERROR] missing required field: filename']);
    const length = Number(args.length);
    if (args.length === undefined || args.length === '' || !Number.isInteger(length) || length < 0)
      throw new SlackApiError('invalid_arguments', ['[ERROR] missing required field: length']);
    if (length === 0) throw new SlackApiError('missing_argument');
    if (typeof args.alt_txt === 'string' && args.alt_txt.length > 1000) throw new SlackApiError('alt_txt_too_large');
    const fileId = `F${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
    const ticket = randomUUID().replace(/-/g, '');
    this.#uploads.set(ticket, { fileId, filename: args.filename, length, bytes: null });
    return { upload_url: `${this.url}/upload/v1/${ticket}`, file_id: fileId };
  }

  /** Step 2: the bytes, raw or as a multipart form; they must be exactly the length announced. */
  async #receiveUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = (status: number, text: string) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    };
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > UPLOAD_LIMIT) {
          res.once('finish', () => req.destroy());
          return answer(413, 'file too large');
        }
        chunks.push(chunk);
      }
      const ticket = new URL(req.url ?? '/', 'http://emulator').pathname.split('/').at(-1) ?? '';
      const upload = this.#uploads.get(ticket);
      if (!upload) return answer(404, 'unknown upload url');
      let bytes = Buffer.concat(chunks);
      const type = req.headers['content-type'] ?? '';
      if (type.startsWith('multipart/form-data')) {
        const form = await new Response(bytes, { headers: { 'content-type': type } }).formData();
        const file = [...form.values()].find((v) => typeof v !== 'string');
        if (!file || typeof file === 'string') return answer(400, 'no file in the form');
        bytes = Buffer.from(await file.arrayBuffer());
      }
      if (bytes.length !== upload.length) return answer(400, `length mismatch: ${upload.length} bytes announced, ${bytes.length} received`);
      upload.bytes = bytes;
      answer(200, `OK - ${bytes.length}`);
    } catch {
      answer(500, 'upload failed');
    }
  }

  /** Step 3: the uploaded files are shared in the channel (a message with them), or kept private without one. */
  #completeUpload(args: Json): Json {
    const list = typeof args.files === 'string' ? tryParse(args.files) : args.files;
    if (!Array.isArray(list) || list.length === 0) throw new SlackApiError('invalid_arguments', ['[ERROR] missing required field: files']);
    const entries = list.map((f: Json) => {
      const entry = [...this.#uploads].find(([, u]) => u.fileId === f?.id);
      // An id never announced, or one whose bytes never arrived, is not a file Slack knows.
      if (!entry?.[1].bytes) throw new SlackApiError('file_not_found');
      return { ticket: entry[0], upload: entry[1], title: typeof f.title === 'string' && f.title !== '' ? f.title : entry[1].filename };
    });
    const target = typeof args.channel_id === 'string' && args.channel_id !== '' ? args.channel_id : typeof args.channels === 'string' ? args.channels : '';
    if (target.includes(',')) throw new SlackApiError('invalid_arguments', ['[ERROR] only one channel can be given']);
    const channel = target === '' ? null : this.#channel(target);
    if (channel && !this.#isMember(channel)) throw new SlackApiError('not_in_channel');
    const hasThread = typeof args.thread_ts === 'string' && args.thread_ts !== '';
    if (hasThread && !channel) throw new SlackApiError('invalid_arguments', ['[ERROR] thread_ts needs a channel']);
    const threadTs = hasThread && channel ? this.#threadRoot(channel, args.thread_ts) : null;
    const comment = typeof args.initial_comment === 'string' && args.initial_comment !== '' ? args.initial_comment : null;
    // Slack ignores blocks when there is an initial comment.
    const blocks = comment === null ? validateBlocks(args.blocks, SLACK_LIMITS.blocksPerMessage) : [];
    const shared = entries.map(({ ticket, upload, title }) => {
      this.#uploads.delete(ticket);
      const file: SharedFile = {
        id: upload.fileId,
        title,
        filename: upload.filename,
        bytes: upload.bytes as Buffer,
        channel,
        initial_comment: comment,
        threadTs,
        created: Math.floor(Date.now() / 1000),
      };
      this.files.set(file.id, file);
      return file;
    });
    if (channel) {
      this.messages.push({
        ts: this.#nextTs(),
        channel,
        text: comment ?? '',
        blocks,
        user: this.#botUserId,
        edited: false,
        updates: 0,
        threadTs,
        broadcast: false,
        metadata: null,
        files: shared.map((f) => f.id),
      });
    }
    return { files: shared.map((f) => this.#fileJson(f)) };
  }

  #fileJson(f: SharedFile): Json {
    const ext = f.filename.includes('.') ? (f.filename.split('.').at(-1) ?? '') : '';
    return {
      id: f.id,
      created: f.created,
      timestamp: f.created,
      name: f.filename,
      title: f.title,
      filetype: ext || 'text',
      user: this.#botUserId,
      size: f.bytes.length,
      is_external: false,
      is_public: f.channel !== null,
      url_private: `${this.url}/files/${f.id}/${encodeURIComponent(f.filename)}`,
      permalink: `https://cashin-emulated.slack.com/files/${this.#botUserId}/${f.id}/${encodeURIComponent(f.filename)}`,
      channels: f.channel ? [f.channel] : [],
    };
  }
}

function bearer(r: EmulatorRequest): string | null {
  const header = r.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : null;
}

function parseArgs(r: EmulatorRequest): Json {
  const type = r.headers['content-type'] ?? '';
  if (type.includes('application/json')) return safeJson(r.rawBody);
  const args: Json = {};
  for (const [k, v] of new URLSearchParams(r.rawBody)) args[k] = v;
  for (const key of ['blocks', 'attachments', 'view']) {
    if (typeof args[key] === 'string') {
      const parsed: unknown = tryParse(String(args[key]));
      if (parsed === undefined) throw new Error(`${key} is not JSON`);
      args[key] = parsed;
    }
  }
  return args;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function safeJson(text: string): Json {
  const parsed = tryParse(text);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : {};
}

function requireText(text: unknown, blocks: Json[]): void {
  if ((typeof text !== 'string' || text === '') && blocks.length === 0) throw new SlackApiError('no_text');
}

function checkPlain(value: unknown, path: string, max: number): string[] {
  const text = (value as Json | undefined)?.text;
  if (typeof text !== 'string' || text === '') return [`[ERROR] ${path} must be plain_text [json-pointer:/view/${path}]`];
  return text.length > max ? [`[ERROR] must be less than ${max + 1} characters [json-pointer:/view/${path}/text]`] : [];
}

const BLOCK_TYPES = new Set(['section', 'header', 'context', 'divider', 'actions', 'input', 'image']);
/** Elements the emulator knows in an actions block, and as the element of an input block. */
const ACTION_ELEMENTS = new Set(['button', 'datepicker', 'static_select', 'overflow', 'radio_buttons']);
const INPUT_ELEMENTS = new Set(['plain_text_input', 'url_text_input', 'email_text_input', 'number_input', 'static_select', 'radio_buttons', 'datepicker']);

/** Slack's limits, enforced: a message that breaks one is refused with invalid_blocks, as Slack does. */
function validateBlocks(raw: unknown, maxBlocks: number): Json[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (!Array.isArray(raw)) throw new SlackApiError('invalid_blocks_format');
  const problems: string[] = [];
  if (raw.length > maxBlocks) problems.push(`[ERROR] no more than ${maxBlocks} items allowed [json-pointer:/blocks]`);
  let textLength = 0;
  raw.forEach((block: Json, i) => {
    const at = `/blocks/${i}`;
    if (!BLOCK_TYPES.has(String(block?.type))) {
      problems.push(`[ERROR] unsupported type: ${String(block?.type)} [json-pointer:${at}/type]`);
      return;
    }
    if (typeof block.block_id === 'string' && block.block_id.length > 255)
      problems.push(`[ERROR] must be less than 256 characters [json-pointer:${at}/block_id]`);
    const text = block.text as Json | undefined;
    switch (block.type) {
      case 'header':
        if (textOf(text) === 0 || textOf(text) > 150) problems.push(`[ERROR] must be between 1 and 150 characters [json-pointer:${at}/text]`);
        break;
      case 'section': {
        const fields = Array.isArray(block.fields) ? (block.fields as Json[]) : [];
        if (!text && fields.length === 0) problems.push(`[ERROR] must provide either text or fields [json-pointer:${at}]`);
        if (textOf(text) > 3000) problems.push(`[ERROR] must be less than 3001 characters [json-pointer:${at}/text/text]`);
        if (fields.length > 10) problems.push(`[ERROR] no more than 10 items allowed [json-pointer:${at}/fields]`);
        fields.forEach((f, j) => {
          if (textOf(f) > 2000) problems.push(`[ERROR] must be less than 2001 characters [json-pointer:${at}/fields/${j}/text]`);
        });
        textLength += textOf(text) + fields.reduce((n, f) => n + textOf(f), 0);
        break;
      }
      case 'context': {
        const elements = Array.isArray(block.elements) ? (block.elements as Json[]) : [];
        if (elements.length === 0 || elements.length > 10) problems.push(`[ERROR] must have between 1 and 10 elements [json-pointer:${at}/elements]`);
        textLength += elements.reduce((n, e) => n + textOf(e), 0);
        break;
      }
      case 'actions': {
        const elements = Array.isArray(block.elements) ? (block.elements as Json[]) : [];
        if (elements.length === 0 || elements.length > 25) problems.push(`[ERROR] must have between 1 and 25 elements [json-pointer:${at}/elements]`);
        elements.forEach((e, j) => {
          checkElement(e, `${at}/elements/${j}`, ACTION_ELEMENTS, problems);
        });
        break;
      }
      case 'input':
        if (!block.label || !block.element) {
          problems.push(`[ERROR] input blocks need a label and an element [json-pointer:${at}]`);
          break;
        }
        if (textOf(block.label) === 0 || textOf(block.label) > 2000)
          problems.push(`[ERROR] must be between 1 and 2000 characters [json-pointer:${at}/label/text]`);
        if (textOf(block.hint) > 2000) problems.push(`[ERROR] must be less than 2001 characters [json-pointer:${at}/hint/text]`);
        checkElement(block.element as Json, `${at}/element`, INPUT_ELEMENTS, problems);
        break;
      default:
        break;
    }
  });
  if (problems.length > 0) throw new SlackApiError('invalid_blocks', problems);
  if (textLength > SLACK_LIMITS.messageText) throw new SlackApiError('msg_blocks_too_long');
  return raw as Json[];
}

function textOf(t: unknown): number {
  return typeof (t as Json | undefined)?.text === 'string' ? String((t as Json).text).length : 0;
}

/** One interactive element against Slack's documented limits; `allowed` is where it sits (actions or input). */
function checkElement(e: Json, at: string, allowed: Set<string>, problems: string[]): void {
  const type = String(e?.type);
  if (!allowed.has(type)) {
    problems.push(`[ERROR] unsupported type: ${type} [json-pointer:${at}/type]`);
    return;
  }
  const tooLong = (value: unknown, max: number, path: string) => {
    if (typeof value === 'string' && value.length > max) problems.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${at}/${path}]`);
  };
  tooLong(e.action_id, SLACK_LIMITS.actionId, 'action_id');
  if (e.placeholder !== undefined && (textOf(e.placeholder) === 0 || textOf(e.placeholder) > 150))
    problems.push(`[ERROR] must be between 1 and 150 characters [json-pointer:${at}/placeholder/text]`);
  switch (type) {
    case 'button':
      if (textOf(e.text) === 0 || textOf(e.text) > 75) problems.push(`[ERROR] must be between 1 and 75 characters [json-pointer:${at}/text/text]`);
      tooLong(e.value, 2000, 'value');
      tooLong(e.url, 3000, 'url');
      if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') problems.push(`[ERROR] must be primary or danger [json-pointer:${at}/style]`);
      break;
    case 'datepicker':
      if (e.initial_date !== undefined && !isDate(e.initial_date))
        problems.push(`[ERROR] must be a date in YYYY-MM-DD format [json-pointer:${at}/initial_date]`);
      break;
    case 'static_select':
    case 'radio_buttons':
    case 'overflow': {
      const max = type === 'static_select' ? 100 : type === 'radio_buttons' ? 10 : 5;
      const groups = type === 'static_select' && Array.isArray(e.option_groups) ? (e.option_groups as Json[]) : null;
      if (groups && groups.length > 100) problems.push(`[ERROR] no more than 100 items allowed [json-pointer:${at}/option_groups]`);
      const lists = groups ? groups.map((g, k) => ({ options: g.options, path: `option_groups/${k}/options` })) : [{ options: e.options, path: 'options' }];
      for (const { options, path } of lists) {
        const count = Array.isArray(options) ? options.length : 0;
        if (count === 0 || count > max) problems.push(`[ERROR] must have between 1 and ${max} items [json-pointer:${at}/${path}]`);
        (Array.isArray(options) ? (options as Json[]) : []).forEach((o, k) => {
          if (textOf(o?.text) === 0 || textOf(o?.text) > 75)
            problems.push(`[ERROR] must be between 1 and 75 characters [json-pointer:${at}/${path}/${k}/text/text]`);
          if (typeof o?.value !== 'string' || o.value === '' || o.value.length > 150)
            problems.push(`[ERROR] must be between 1 and 150 characters [json-pointer:${at}/${path}/${k}/value]`);
        });
      }
      const initial = (e.initial_option as Json | undefined)?.value;
      if (initial !== undefined && !optionsOf(e).some((o) => o.value === initial))
        problems.push(`[ERROR] initial_option must be one of the options [json-pointer:${at}/initial_option]`);
      break;
    }
    case 'number_input': {
      if (typeof e.is_decimal_allowed !== 'boolean') problems.push(`[ERROR] missing required field: is_decimal_allowed [json-pointer:${at}]`);
      const bound = (name: string): number | null => {
        const v = e[name];
        if (v === undefined) return null;
        const n = Number(v);
        if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || (e.is_decimal_allowed !== true && !Number.isInteger(n))) {
          problems.push(`[ERROR] must be a ${e.is_decimal_allowed === true ? 'number' : 'whole number'} written as a string [json-pointer:${at}/${name}]`);
          return null;
        }
        return n;
      };
      const min = bound('min_value');
      const max = bound('max_value');
      const initial = bound('initial_value');
      if (min !== null && max !== null && min > max) problems.push(`[ERROR] min_value must not be greater than max_value [json-pointer:${at}/min_value]`);
      if (initial !== null && ((min !== null && initial < min) || (max !== null && initial > max)))
        problems.push(`[ERROR] initial_value must be between min_value and max_value [json-pointer:${at}/initial_value]`);
      break;
    }
    default: {
      // The text inputs.
      const max = typeof e.max_length === 'number' ? e.max_length : 3000;
      if (typeof e.max_length === 'number' && (e.max_length < 1 || e.max_length > 3000))
        problems.push(`[ERROR] must be between 1 and 3000 [json-pointer:${at}/max_length]`);
      if (typeof e.min_length === 'number' && (e.min_length < 0 || e.min_length > 3000))
        problems.push(`[ERROR] must be between 0 and 3000 [json-pointer:${at}/min_length]`);
      tooLong(e.initial_value, max, 'initial_value');
      break;
    }
  }
}

/** The options of a select, radio group or overflow, option groups flattened. */
function optionsOf(element: Json): { text: Json; value: string }[] {
  const groups = Array.isArray(element.option_groups) ? (element.option_groups as Json[]) : [];
  const all = [
    ...(Array.isArray(element.options) ? (element.options as Json[]) : []),
    ...groups.flatMap((g) => (Array.isArray(g.options) ? (g.options as Json[]) : [])),
  ];
  return all.map((o) => ({ text: o.text as Json, value: String(o.value) }));
}

/**
 * The state Slack sends for an input element on submission. The Slack client itself refuses what
 * cannot be submitted (a number out of range, an option that is not offered), so those throw here.
 */
function inputState(element: Json, raw: string | undefined, blockId: string): Json {
  const type = String(element.type);
  const empty = raw === undefined || raw === '';
  switch (type) {
    case 'number_input': {
      if (empty) return { type, value: null };
      const n = Number(raw);
      const decimal = element.is_decimal_allowed === true;
      if (!Number.isFinite(n) || raw.trim() === '') throw new Error(`${blockId}: ${raw} is not a number`);
      if (!decimal && !Number.isInteger(n)) throw new Error(`${blockId}: ${raw} is not a whole number`);
      if (element.min_value !== undefined && n < Number(element.min_value)) throw new Error(`${blockId}: ${raw} is below ${String(element.min_value)}`);
      if (element.max_value !== undefined && n > Number(element.max_value)) throw new Error(`${blockId}: ${raw} is above ${String(element.max_value)}`);
      return { type, value: raw };
    }
    case 'static_select':
    case 'radio_buttons': {
      if (empty) return { type, selected_option: null };
      const option = optionsOf(element).find((o) => o.value === raw);
      if (!option) throw new Error(`${blockId}: ${raw} is not one of the options`);
      return { type, selected_option: { text: { type: 'plain_text', ...option.text }, value: option.value } };
    }
    case 'datepicker':
      if (empty) return { type, selected_date: null };
      if (!isDate(raw)) throw new Error(`${blockId}: ${raw} is not a YYYY-MM-DD date`);
      return { type, selected_date: raw };
    default:
      return { type, value: raw ?? null };
  }
}

function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

/** Message metadata as chat.postMessage takes it: an object (JSON text when form-encoded) with event_type and event_payload. */
function parseMetadata(raw: unknown): MessageMetadata | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const value = typeof raw === 'string' ? tryParse(raw) : raw;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SlackApiError('invalid_metadata_format');
  const { event_type: type, event_payload: payload } = value as Json;
  if (typeof type !== 'string' || type === '' || !payload || typeof payload !== 'object' || Array.isArray(payload))
    throw new SlackApiError('invalid_metadata_format');
  return { event_type: type, event_payload: payload as Json };
}

/** Compares message timestamps ("seconds.sequence") exactly, without floating point. */
function compareTs(a: string, b: string): number {
  const [as = '0', af = '0'] = a.split('.');
  const [bs = '0', bf = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}

/** Slack's oldest/latest window, exclusive unless `inclusive`. */
function inWindow(ts: string, args: Json): boolean {
  const inclusive = flag(args.inclusive);
  const after = (bound: unknown) => bound === undefined || bound === '' || (inclusive ? compareTs(ts, String(bound)) >= 0 : compareTs(ts, String(bound)) > 0);
  const before = (bound: unknown) => bound === undefined || bound === '' || (inclusive ? compareTs(ts, String(bound)) <= 0 : compareTs(ts, String(bound)) < 0);
  return after(args.oldest) && before(args.latest);
}

function findButton(blocks: Json[], actionId: string): { blockId: string; value: string; text: Json } | null {
  const found = findElement(blocks, actionId, ['button']);
  return found ? { blockId: found.blockId, value: String(found.element.value ?? ''), text: found.element.text as Json } : null;
}

function findElement(blocks: Json[], actionId: string, types: string[]): { blockId: string; element: Json } | null {
  for (const block of blocks) {
    if (block.type !== 'actions') continue;
    for (const element of (block.elements as Json[]) ?? []) {
      if (element.action_id === actionId && types.includes(String(element.type))) return { blockId: String(block.block_id ?? ''), element };
    }
  }
  return null;
}
