/**
 * A tiny router for the emulators: exact method + path patterns, raw bodies, JSON answers.
 * Anything that does not match is the emulator's own "unknown route" error, never a silent 200.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLarge, readBody } from '../app/http-body.js';

export type EmulatorRequest = {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: string;
  /** When the request arrived (ms since epoch). */
  readonly receivedAt: number;
};

export type EmulatorResponse = {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Raw text instead of JSON, e.g. an HTML page. */
  readonly text?: string;
};

export type Handler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

type Route = { method: string; parts: string[]; handler: Handler };

export class Router {
  readonly #routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.#routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | null {
    const parts = path.split('/').filter(Boolean);
    for (const route of this.#routes) {
      if (route.method !== method || route.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = route.parts.every((p, i) => {
        const actual = parts[i] ?? '';
        if (p.startsWith(':')) {
          params[p.slice(1)] = decodeURIComponent(actual);
          return true;
        }
        return p === actual;
      });
      if (ok) return { handler: route.handler, params };
    }
    return null;
  }
}

export function send(res: ServerResponse, response: EmulatorResponse): void {
  if (res.headersSent || res.destroyed) return;
  const headers = { ...response.headers };
  if (response.text !== undefined) {
    res.writeHead(response.status, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(response.text);
    return;
  }
  res.writeHead(response.status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(response.body));
}

export type Listening = { readonly server: Server; readonly url: string; close(): Promise<void> };

/** Serves a request handler on 127.0.0.1 (port 0 picks a free port). */
export async function listen(handle: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<Listening> {
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type HandlerOptions = {
  /** Answers a route the router does not know, in the API's own error shape. */
  notFound: (req: EmulatorRequest) => EmulatorResponse;
  /** Runs before routing (auth, injected faults); an answer here is final. */
  before?: (req: EmulatorRequest) => EmulatorResponse | null | Promise<EmulatorResponse | null>;
  /** Turns an error a handler threw into the API's error shape; null for a generic 500. */
  onError?: (error: unknown) => EmulatorResponse | null;
  /** Sees every answer with the request it answers, before it is sent; may delay it. */
  onResponse?: (req: EmulatorRequest, response: EmulatorResponse) => void | Promise<void>;
  /** Largest request body read, in bytes; larger ones get 413. One megabyte by default. */
  bodyLimit?: number;
  /** Headers added to every answer (an emulated service's own Date, say). */
  headers?: () => Readonly<Record<string, string>>;
};

/** Runs a router behind a node http handler. */
export function routerHandler(router: Router, options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const receivedAt = Date.now();
    let request: EmulatorRequest | null = null;
    const reply = async (response: EmulatorResponse): Promise<void> => {
      if (request) await options.onResponse?.(request, response);
      send(res, options.headers ? { ...response, headers: { ...options.headers(), ...response.headers } } : response);
    };
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://emulator');
      let rawBody: string;
      try {
        rawBody = await readBody(req, options.bodyLimit ?? 1024 * 1024);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          res.once('finish', () => req.destroy());
          send(res, { status: 413, body: { error: error.message }, headers: { connection: 'close' } });
        } else {
          req.destroy();
        }
        return;
      }
      const found = router.match(req.method ?? 'GET', url.pathname);
      request = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        receivedAt,
        params: found?.params ?? {},
      };
      const early = options.before ? await options.before(request) : null;
      if (early) return reply(early);
      if (!found) return reply(options.notFound(request));
      return reply(await found.handler(request));
    })().catch((error: unknown) => reply(options.onError?.(error) ?? { status: 500, body: { error: error instanceof Error ? error.message : String(error) } }));
  };
}

/** A port nobody listens on right now, for servers that want a number before they start. */
export async function freePort(): Promise<number> {
  const probe = await listen((_req, res) => res.end());
  const port = Number(new URL(probe.url).port);
  await probe.close();
  return port;
}
