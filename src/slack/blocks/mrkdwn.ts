/**
 * Slack mrkdwn from text the founder typed. Slack reads &, < and > as control characters (`<!channel>`
 * pings everyone, `<url|label>` is a link), so typed text is escaped before any markup is put around
 * it, and cutting to fit a limit never splits an escape, a link or a character.
 */
import { truncate } from '../../domain/text.js';

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Units that must stay whole: a link or mention, an escape, a surrogate pair, or any other character. */
const TOKEN = /<[^<>\n]*>|&(?:amp|lt|gt);|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g;

/** Shortens mrkdwn to at most `max` characters, ending with "…", without breaking any markup. */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '';
  const budget = max - 1;
  let end = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (end + match[0].length > budget) break;
    end += match[0].length;
  }
  return `${text.slice(0, end).trimEnd()}…`;
}

/** `<url|label>` with the label cut first and then escaped; a URL that cannot be a link is shown as text. */
export function mrkdwnLink(url: string | null, label: string, maxLabel = 200): string {
  const shown = escapeMrkdwn(truncate(label, maxLabel)).replace(/\|/g, '¦');
  if (!url || !/^https?:\/\//i.test(url) || url.length > 2000) return shown;
  return `<${url.replace(/[<>|\s]/g, encodeURIComponent)}|${shown}>`;
}

/** A Slack user id as a mention, only when it is one (U… or W…); null for anything else, which must stay text. */
export function userMention(userId: string | null): string | null {
  return userId !== null && /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : null;
}
