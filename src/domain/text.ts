/** Text helpers for whatever the founder typed: pure, and safe for every character Notion can hold. */

/**
 * Replaces lone surrogates (half of an emoji, say) with U+FFFD. A lone surrogate cannot be
 * URL-encoded, so the Stripe SDK throws before sending it; Slack and Notion mangle it too.
 */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** The longest prefix of `text` within `max` UTF-16 units that does not end inside a surrogate pair. */
export function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = Math.max(0, max);
  const last = text.charCodeAt(end - 1);
  // A high surrogate as the last unit would leave its pair behind.
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, end - 1) : text.slice(0, end);
}

/**
 * Shortens text to at most `max` UTF-16 units (what Slack, Notion and Stripe count), marking the cut
 * so nobody mistakes it for the whole. Never splits a character.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return cutAt(text, max);
  return `${cutAt(text, max - 1).trimEnd()}…`;
}

/**
 * A short, stable digest of a string (FNV-1a, 32 bits, base 36). It tells whether a value changed;
 * it is not a security measure.
 */
export function shortDigest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/** An approver as the audit trail names them: Notion cannot mention a Slack user, so the id is labelled. */
export const slackUser = (userId: string): string => `Slack user ${userId}`;
