/**
 * A stateful emulator of Slack for Cashin: the Web API methods the bot calls (with Block Kit
 * validated against Slack's limits), and the platform side that delivers a founder's clicks,
 * modal submissions and slash commands to the bot, signed over HTTP or as Socket Mode envelopes.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { SLACK_LIMITS } from '../slack/blocks/limits.js';
import { listen, Router, routerHandler, type EmulatorRequest, type EmulatorResponse, type Listening } from './http.js';

type Json = Record<string, unknown>;

export type SlackMessage = { ts: string; channel: string; text: string; blocks: Json[]; user: string; edited: boolean; updates: number };
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
  readonly #options: SlackEmulatorOptions;
  readonly #teamId: string;
  readonly #botUserId = 'UBOTCASHIN';
  readonly #triggers = new Map<string, { user: string; at: number }>();
  readonly #sockets = new Set<WebSocket>();
  readonly #pendingAcks = new Map<string, (payload: Json) => void>();
  readonly #stalls = new Map<string, Promise<void>>();
  #tsCounter = 0;
  #listening: Listening | null = null;
  /** Where HTTP-mode deliveries go: the bot's /slack/events. */
  requestUrl: string | null = null;

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

  channelMessages(channel: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel);
  }

  handler(): ReturnType<typeof routerHandler> {
    const router = new Router()
      .add('POST', '/api/:method', async (r) => {
        await this.#stalls.get(r.params.method ?? '');
        return this.#api(r);
      })
      .add('POST', '/response/:channel/:user/:id', (r) => this.#respond(r));
    return routerHandler(router, { notFound: (r) => ({ status: 404, body: { ok: false, error: 'unknown_method', detail: `${r.method} ${r.path}` } }) });
  }

  // ---- the platform: what a founder does in the Slack client ----

  /** Clicks a button in a message, as `userId`. */
  async click(messageTs: string, actionId: string, userId: string): Promise<Delivery> {
    const message = this.messages.find((m) => m.ts === messageTs);
    if (!message) throw new Error(`no message ${messageTs}`);
    const found = findButton(message.blocks, actionId);
    if (!found) throw new Error(`message ${messageTs} has no button ${actionId}`);
    const payload = {
      type: 'block_actions',
      team: { id: this.#teamId, domain: 'cashin' },
      user: { id: userId, username: userId, team_id: this.#teamId },
      api_app_id: 'ACASHIN01',
      token: 'legacy-verification-token',
      trigger_id: this.#trigger(userId),
      container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
      channel: { id: message.channel, name: 'billing' },
      message: { ts: message.ts, text: message.text, blocks: message.blocks, type: 'message', user: message.user },
      response_url: this.#responseUrl(message.channel, userId),
      state: { values: {} },
      actions: [{ type: 'button', action_id: actionId, block_id: found.blockId, value: found.value, text: found.text, action_ts: `${Date.now() / 1000}` }],
    };
    return this.#deliver('interactive', payload);
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
      state[blockId] = { [String(element.action_id)]: { type: element.type, value: values[blockId] ?? null } };
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

  async #deliver(type: 'interactive' | 'slash_commands', payload: Json): Promise<Delivery> {
    const socket = [...this.#sockets][0];
    if (socket) {
      const envelopeId = randomUUID();
      const acked = new Promise<Json>((resolve) => this.#pendingAcks.set(envelopeId, resolve));
      socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type === 'interactive' || type === 'slash_commands' }));
      const timeout = new Promise<Json>((_, reject) => setTimeout(() => reject(new Error('socket mode envelope not acknowledged within 3 s')), 3000));
      const ack = await Promise.race([acked, timeout]);
      return { status: 200, body: JSON.stringify(ack.payload ?? {}) };
    }
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
        this.messages.push({ ts: this.#nextTs(), channel, text: String(body.text ?? ''), blocks, user: this.#botUserId, edited: false, updates: 0 });
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
      const result = this.#call(method, args, bearer(r) ?? (typeof args.token === 'string' ? args.token : null));
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

  #call(method: string, args: Json, token: string | null): Json {
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
    return `${Math.floor(Date.now() / 1000)}.${String(this.#tsCounter).padStart(6, '0')}`;
  }

  #postMessage(args: Json): Json {
    const channel = this.#channel(args.channel);
    if (!this.#isMember(channel)) throw new SlackApiError('not_in_channel');
    const blocks = validateBlocks(args.blocks, SLACK_LIMITS.blocksPerMessage);
    requireText(args.text, blocks);
    const message: SlackMessage = { ts: this.#nextTs(), channel, text: String(args.text ?? ''), blocks, user: this.#botUserId, edited: false, updates: 0 };
    this.messages.push(message);
    return { channel, ts: message.ts, message: { type: 'message', text: message.text, blocks, user: message.user, ts: message.ts } };
  }

  #update(args: Json): Json {
    const channel = this.#channel(args.channel);
    const message = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
    if (!message) throw new SlackApiError('message_not_found');
    const blocks = validateBlocks(args.blocks, SLACK_LIMITS.blocksPerMessage);
    requireText(args.text, blocks);
    message.text = String(args.text ?? message.text);
    message.blocks = blocks;
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
    const length = (t: unknown) => (typeof (t as Json | undefined)?.text === 'string' ? String((t as Json).text).length : 0);
    switch (block.type) {
      case 'header':
        if (length(text) === 0 || length(text) > 150) problems.push(`[ERROR] must be between 1 and 150 characters [json-pointer:${at}/text]`);
        break;
      case 'section': {
        const fields = Array.isArray(block.fields) ? (block.fields as Json[]) : [];
        if (!text && fields.length === 0) problems.push(`[ERROR] must provide either text or fields [json-pointer:${at}]`);
        if (length(text) > 3000) problems.push(`[ERROR] must be less than 3001 characters [json-pointer:${at}/text/text]`);
        if (fields.length > 10) problems.push(`[ERROR] no more than 10 items allowed [json-pointer:${at}/fields]`);
        fields.forEach((f, j) => {
          if (length(f) > 2000) problems.push(`[ERROR] must be less than 2001 characters [json-pointer:${at}/fields/${j}/text]`);
        });
        textLength += length(text) + fields.reduce((n, f) => n + length(f), 0);
        break;
      }
      case 'context': {
        const elements = Array.isArray(block.elements) ? (block.elements as Json[]) : [];
        if (elements.length === 0 || elements.length > 10) problems.push(`[ERROR] must have between 1 and 10 elements [json-pointer:${at}/elements]`);
        textLength += elements.reduce((n, e) => n + length(e), 0);
        break;
      }
      case 'actions': {
        const elements = Array.isArray(block.elements) ? (block.elements as Json[]) : [];
        if (elements.length === 0 || elements.length > 25) problems.push(`[ERROR] must have between 1 and 25 elements [json-pointer:${at}/elements]`);
        elements.forEach((e, j) => {
          if (length(e.text) === 0 || length(e.text) > 75)
            problems.push(`[ERROR] must be between 1 and 75 characters [json-pointer:${at}/elements/${j}/text/text]`);
          if (typeof e.action_id === 'string' && e.action_id.length > 255)
            problems.push(`[ERROR] must be less than 256 characters [json-pointer:${at}/elements/${j}/action_id]`);
          if (typeof e.value === 'string' && e.value.length > 2000)
            problems.push(`[ERROR] must be less than 2001 characters [json-pointer:${at}/elements/${j}/value]`);
        });
        break;
      }
      case 'input':
        if (!block.label || !block.element) problems.push(`[ERROR] input blocks need a label and an element [json-pointer:${at}]`);
        break;
      default:
        break;
    }
  });
  if (problems.length > 0) throw new SlackApiError('invalid_blocks', problems);
  if (textLength > SLACK_LIMITS.messageText) throw new SlackApiError('msg_blocks_too_long');
  return raw as Json[];
}

function findButton(blocks: Json[], actionId: string): { blockId: string; value: string; text: Json } | null {
  for (const block of blocks) {
    if (block.type !== 'actions') continue;
    for (const element of (block.elements as Json[]) ?? []) {
      if (element.action_id === actionId) return { blockId: String(block.block_id ?? ''), value: String(element.value ?? ''), text: element.text as Json };
    }
  }
  return null;
}
