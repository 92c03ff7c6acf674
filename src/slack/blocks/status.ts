/** The text of `/cashin`: where every milestone in the billing loop stands, and the open exceptions. */
import type { ExceptionRow, OverviewRow } from '../../workflows/store.js';
import { formatMoney } from '../../domain/money.js';
import { truncate } from '../../domain/text.js';
import { escapeMrkdwn, truncateMrkdwn } from './mrkdwn.js';
import { SLACK_LIMITS } from './limits.js';

const HELP = [
  '*Cashin* watches your Notion Milestones and bills what your clients accepted.',
  '• `/cashin`: where every milestone in the billing loop stands',
  '• `/cashin exceptions`: every open exception (dispute, failed payment) with its reason, age and owner',
  '• `/cashin help`: this message',
  'Cards in this channel carry the buttons: accept, edit billing details, send.',
].join('\n');

export function buildStatusText(rows: readonly OverviewRow[], args: string): string {
  if (args.trim().toLowerCase() === 'help') return HELP;
  const groups: [string, OverviewRow[]][] = [
    ['Waiting for client acceptance', rows.filter((r) => r.stage === 'Delivered' && r.invoiceStatus === null)],
    ['Accepted, blocked', rows.filter((r) => r.stage === 'Accepted' && r.invoiceStatus === null && r.blockerCount > 0)],
    ['Accepted, ready to send', rows.filter((r) => r.stage === 'Accepted' && r.invoiceStatus === null && r.blockerCount === 0)],
    ['Sent, awaiting payment', rows.filter((r) => r.invoiceStatus === 'Sent' || r.invoiceStatus === 'Draft')],
    ['Overdue', rows.filter((r) => r.invoiceStatus === 'Overdue')],
    ['Exceptions (see `/cashin exceptions`)', rows.filter((r) => r.invoiceStatus === 'Disputed')],
    ['Paid', rows.filter((r) => r.invoiceStatus === 'Paid')],
  ];
  const lines = groups
    .filter(([, list]) => list.length > 0)
    .map(([label, list]) => {
      const items = list
        .slice(0, 10)
        .map(
          (r) =>
            `  • ${escapeMrkdwn(truncate(r.title, 80))}${r.clientName ? ` (${escapeMrkdwn(truncate(r.clientName, 80))})` : ''}${r.blockerCount > 0 ? `: ${r.blockerCount} blocker${r.blockerCount === 1 ? '' : 's'}` : ''}`,
        );
      const more = list.length > 10 ? [`  … and ${list.length - 10} more`] : [];
      return [`*${label}* (${list.length})`, ...items, ...more].join('\n');
    });
  return truncateMrkdwn(
    lines.length > 0 ? lines.join('\n') : 'Nothing in the billing loop: no milestone is Delivered or Accepted, and no invoice is open.',
    SLACK_LIMITS.sectionText,
  );
}

/** `/cashin exceptions`: each open exception with its reason, how long it has been open and who owns it. */
export function buildExceptionsText(rows: readonly ExceptionRow[], now: Date): string {
  if (rows.length === 0) return 'No open exceptions: no invoice is disputed or has a failed payment waiting for you.';
  const lines = rows.slice(0, 20).map((r) => {
    const age = r.since ? ageOf(now.getTime() - Date.parse(r.since)) : 'age unknown';
    const owed = r.outstanding ? `, ${formatMoney(r.outstanding)} outstanding` : '';
    const owner = r.owner
      ? `${escapeMrkdwn(truncate(r.owner, 80))} at ${escapeMrkdwn(truncate(r.clientName ?? 'the client', 80))}`
      : `${escapeMrkdwn(truncate(r.clientName ?? 'the client', 80))} (no billing owner named)`;
    return `• *${escapeMrkdwn(r.reason)}*: ${escapeMrkdwn(truncate(r.title, 80))}, invoice ${escapeMrkdwn(truncate(r.invoiceLabel ?? '?', 40))}${owed}. Open ${age}. Owner: ${owner}.`;
  });
  const more = rows.length > 20 ? [`… and ${rows.length - 20} more`] : [];
  return truncateMrkdwn([`*Open exceptions* (${rows.length}), oldest first`, ...lines, ...more].join('\n'), SLACK_LIMITS.sectionText);
}

function ageOf(ms: number): string {
  const hours = Math.max(0, Math.floor(ms / 3_600_000));
  if (hours < 24) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.floor(hours / 24);
  return `${days} day${days === 1 ? '' : 's'}`;
}
