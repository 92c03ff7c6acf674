/** The HTTP routes Cashin serves beside Slack's: /healthz and, in HTTP mode, /stripe/webhook. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Logger } from '../log.js';
import { ExternalServiceError } from '../errors.js';
import type { HealthReport } from './health.js';
import { BodyTooLarge, readBody } from './http-body.js';

/** Stripe's event payloads are a few kilobytes; anything near this is not from Stripe. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function healthRoute(report: () => HealthReport & Record<string, unknown>): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      const health = report();
      json(res, health.ok ? 200 : 503, health);
    },
  };
}

/** `verify` checks the signature and parses the event; `receive` applies it. */
export type WebhookDeps<Event extends { id: string }> = {
  secret: string;
  verify(rawBody: string, signature: string, secret: string): Event;
  receive(event: Event): Promise<void>;
  logger: Logger;
};

/**
 * Stripe's webhook. Only a signed event is read further; one that cannot be applied for a passing
 * reason answers 500 so Stripe delivers it again, one that never will is acknowledged and logged.
 */
export function webhookRoute<Event extends { id: string }>(deps: WebhookDeps<Event>): CustomRoute {
  return {
    path: '/stripe/webhook',
    method: ['POST'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      handleWebhook(req, res, deps).catch((error: unknown) => {
        deps.logger.error({ err: error }, 'stripe webhook failed');
        json(res, 500, { error: 'not applied' });
      });
    },
  };
}

async function handleWebhook<Event extends { id: string }>(req: IncomingMessage, res: ServerResponse, deps: WebhookDeps<Event>): Promise<void> {
  let raw: string;
  try {
    raw = await readBody(req, WEBHOOK_BODY_LIMIT);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      deps.logger.warn({ limit: error.limit }, 'stripe webhook body too large; refused');
      res.once('finish', () => req.destroy());
      res.setHeader('connection', 'close');
      json(res, 413, { error: 'body too large' });
    } else {
      deps.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'stripe webhook upload aborted');
      req.destroy();
    }
    return;
  }
  let event: Event;
  try {
    event = deps.verify(raw, String(req.headers['stripe-signature'] ?? ''), deps.secret);
  } catch {
    deps.logger.warn({ length: raw.length }, 'stripe webhook with a bad signature refused');
    json(res, 400, { error: 'invalid signature' });
    return;
  }
  try {
    await deps.receive(event);
    json(res, 200, { received: true });
  } catch (error) {
    const retryable = !(error instanceof ExternalServiceError) || error.retryable;
    deps.logger[retryable ? 'error' : 'warn']({ err: error, eventId: event.id, retryable }, 'stripe webhook event not applied');
    json(res, retryable ? 500 : 200, retryable ? { error: 'not applied' } : { received: true, ignored: true });
  }
}
