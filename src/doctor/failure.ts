/**
 * Why a call to Slack, Notion or Stripe failed, in the three ways an operator has to tell apart:
 * the network is not there, the service did not answer in time, or it refused the credential.
 */
export type FailureKind = 'network' | 'timeout' | 'refused' | 'other';

const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'notionhq_client_request_timeout', 'UND_ERR_HEADERS_TIMEOUT']);
const REFUSED_CODES = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'not_allowed_token_type', 'unauthorized']);

/** The error and everything it wraps: SDKs keep the cause under different names. */
function chain(error: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    const record = current as Record<string, unknown>;
    found.push(record);
    current = record.cause ?? record.original ?? record.detail ?? (Array.isArray(record.errors) ? record.errors[0] : undefined);
  }
  return found;
}

function field(record: Record<string, unknown>, name: string): string {
  const value = record[name];
  return typeof value === 'string' ? value : '';
}

export function classifyFailure(error: unknown): { kind: FailureKind; code: string } {
  const links = chain(error);
  const codes = links.flatMap((r) => [field(r, 'code'), field(r, 'errno'), field(r, 'type')]).filter((c) => c !== '');
  const slackError = links
    .map((r) => (typeof r.data === 'object' && r.data !== null ? field(r.data as Record<string, unknown>, 'error') : ''))
    .find((c) => c !== '');
  const names = links.map((r) => field(r, 'name'));
  const messages = links.map((r) => field(r, 'message')).join(' ');
  if (slackError && REFUSED_CODES.has(slackError)) return { kind: 'refused', code: slackError };
  if (names.includes('StripeAuthenticationError') || codes.includes('StripeAuthenticationError') || codes.includes('unauthorized'))
    return { kind: 'refused', code: 'unauthorized' };
  const timeout = codes.find((c) => TIMEOUT_CODES.has(c));
  if (timeout || names.includes('TimeoutError') || names.includes('RequestTimeoutError') || /timed out|timeout/i.test(messages))
    return { kind: 'timeout', code: timeout ?? 'timeout' };
  const network = codes.find((c) => NETWORK_CODES.has(c));
  if (network || /fetch failed|connection to Stripe|socket hang up/i.test(messages)) return { kind: 'network', code: network ?? 'connection failed' };
  return { kind: 'other', code: slackError || codes[0] || '' };
}
