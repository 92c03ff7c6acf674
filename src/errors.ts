/**
 * Errors that cross an adapter boundary carry a code. Either the outside service failed
 * (ExternalServiceError, maybe worth retrying) or the founder's data needs fixing (DomainError).
 */
export class ExternalServiceError extends Error {
  override readonly name = 'ExternalServiceError';
  constructor(readonly code: string, message: string, readonly retryable: boolean, override readonly cause?: unknown) {
    super(message);
  }
}

export type DomainErrorCode =
  | 'not_billable'
  | 'already_sent'
  | 'send_in_progress'
  | 'invoice_missing'
  | 'invalid_input'
  | 'not_found'
  | 'total_mismatch';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(readonly code: DomainErrorCode, message: string) {
    super(message);
  }
}
