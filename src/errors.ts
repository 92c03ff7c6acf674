/**
 * Errors that cross an adapter boundary carry a code. Either the outside service failed
 * (ExternalServiceError, maybe worth retrying) or the founder's data needs fixing (DomainError).
 */
export type ExternalErrorCode =
  | 'startup_checks'
  | 'sent_not_recorded'
  | 'notion_rate_limited'
  | 'notion_unavailable'
  | 'notion_unauthorized'
  | 'notion_not_shared'
  | 'notion_refused'
  | 'notion_unexpected'
  | 'stripe_rate_limited'
  | 'stripe_unavailable'
  | 'stripe_unauthorized'
  | 'stripe_refused'
  | 'stripe_customer_deleted'
  | 'stripe_invoice_missing';

export class ExternalServiceError extends Error {
  override readonly name = 'ExternalServiceError';
  constructor(
    readonly code: ExternalErrorCode,
    message: string,
    readonly retryable: boolean,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export type DomainErrorCode = 'not_billable' | 'already_sent' | 'send_in_progress' | 'invoice_missing' | 'invalid_input' | 'not_found' | 'total_mismatch';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}
