/** What Stripe says back, read for Cashin: idempotency keys and replays, and errors fit to show a founder. */
import Stripe from 'stripe';
import { ExternalServiceError, type ExternalErrorCode } from '../errors.js';

/**
 * A step on an invoice is keyed by the invoice and a ten-minute window. Within the window a repeat
 * gets Stripe's first answer; after it, a new key, so an error Stripe saved under the old key (it
 * saves 500s too) cannot hold the step for a day. Every step first checks the invoice's state, so a
 * new key never repeats what was done.
 */
export function stepKey(step: string, invoiceId: string): string {
  return `cashin:${step}:${invoiceId}:${Math.floor(Date.now() / 600_000)}`;
}

export function wasReplayed(response: { lastResponse?: { headers?: unknown } }): boolean {
  const headers = response.lastResponse?.headers;
  if (headers instanceof Headers) return headers.get('idempotent-replayed') === 'true';
  return typeof headers === 'object' && headers !== null && 'idempotent-replayed' in headers && headers['idempotent-replayed'] === 'true';
}

/**
 * Stripe's messages can quote an API key or an idempotency key. What reaches Notion and Slack says
 * what went wrong without them.
 */
export function redactStripeMessage(message: string): string {
  return message
    .replace(/\b(sk|rk|pk)_(test|live)_[A-Za-z0-9*]+/g, '[key]')
    .replace(/\bwhsec_[A-Za-z0-9*]+/g, '[secret]')
    .replace(/'cashin:[^']*'/g, 'its key')
    .replace(/\bcashin:[\w:.-]+/g, 'its key');
}

export function translateStripeError(what: string, error: unknown): Error {
  if (error instanceof ExternalServiceError) return error;
  if (!(error instanceof Stripe.errors.StripeError)) return error instanceof Error ? error : new Error(String(error));
  const retryable =
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError;
  if (error instanceof Stripe.errors.StripeConnectionError) {
    return new ExternalServiceError('stripe_unavailable', `Could not reach Stripe to ${what}: ${redactStripeMessage(error.message)}`, true, error);
  }
  const message =
    error instanceof Stripe.errors.StripeAuthenticationError
      ? 'Stripe did not accept the API key. Check STRIPE_SECRET_KEY.'
      : error instanceof Stripe.errors.StripeIdempotencyError
        ? 'Stripe refused a repeated request whose details had changed; nothing was sent twice.'
        : redactStripeMessage(error.message);
  const code: ExternalErrorCode =
    error instanceof Stripe.errors.StripeRateLimitError
      ? 'stripe_rate_limited'
      : retryable
        ? 'stripe_unavailable'
        : error instanceof Stripe.errors.StripeAuthenticationError
          ? 'stripe_unauthorized'
          : 'stripe_refused';
  return new ExternalServiceError(code, `Stripe refused to ${what}: ${message}`, retryable, error);
}
