/** The text of `/cashin`: where every milestone in the billing loop stands. */
import type { OverviewRow } from '../../workflows/store.js';
import { truncate } from '../../domain/text.js';
import { escapeMrkdwn, truncateMrkdwn } from './mrkdwn.js';
import { SLACK_LIMITS } from './limits.js';

const HELP = [
  '*Cashin* watches your Notion Milestones and bills what your clients accepted.',
  '• `/cashin`: where every milestone in the billing loop stands',
  '• `/cashin help`: this message',
  'Cards in this channel carry the buttons: accept, edit billing details, send.',
].join('\n');

export function buildStatusText(rows: readonly OverviewRow[], args: string): string {
  if (args.trim().toLowerCase() === 'help') return HELP;
  const groups: [string, OverviewRow[]][] = [
    ['Waiting for client acceptance', rows.filter((r) => r.stage === 'Delivered' && r.invoiceStatus === null)],
    ['Accepted, blocked', rows.filter((r) => r.stage === 'Accepted' && r.invoiceStatus === null && r.blockerCount > 0)],
    ['Accepted, ready to send', rows.filter((r) => r.stage === 'Accepted' && r.invoiceStatus === null && r.blockerCount === 0)],
    ['Sent, awaiting payment', rows.filter((r) => r.invoiceStatus === 'Sent' || r.invoiceStatus === 'Overdue' || r.invoiceStatus === 'Draft')],
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
