/**
 * The cash-in answers drawn for Slack: `/cashin` and its arguments, the Monday post and App Home.
 * Every name that came from Notion is escaped; amounts are never added across currencies.
 */
import type { types } from '@slack/bolt';
import type { CashAnswer, ExceptionRow, ItemLine } from '../../domain/cash-report.js';
import type { CurrencyProjection } from '../../domain/forecast.js';
import type { AgingBucket, Kpis, RateKpi } from '../../domain/kpis.js';
import { formatMoney, stripeExponent } from '../../domain/money.js';
import { truncate } from '../../domain/text.js';
import { formatDay, localDate } from '../../domain/time.js';
import type { HomeView } from '../../workflows/ports.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeMrkdwn, truncateMrkdwn } from './mrkdwn.js';
import { buildExceptionsText } from './status.js';

type Block = types.KnownBlock;
export type Drawn = { text: string; blocks: Block[] };

export const SHARE_ACTION = 'cashin_share';

export const CASHIN_HELP = [
  '*Cashin* watches your Notion Milestones, bills what your clients accepted and chases what is unpaid.',
  '• `/cashin`: the cash-in forecast for the next 5 weeks (`/cashin forecast 13` for 13), with how sure each invoice is',
  '• `/cashin aging`: unpaid invoices by days past due, by amount and by count',
  '• `/cashin client &lt;name&gt;`: one client: how they pay, and what is expected from them',
  '• `/cashin exceptions`: every open exception (dispute, failed payment) with its reason, age and owner',
  '• `/cashin kpis`: acceptance-to-invoice lag, same-day dispatch, dispute rate, days to pay, DSO',
  '• `/cashin help`: this message',
  'Answers are private; *Share in channel* posts one for everyone.',
].join('\n');

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text, SLACK_LIMITS.sectionText) } });
const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: false } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(text, SLACK_LIMITS.sectionText) }] });
const divider: Block = { type: 'divider' };
const button = (actionId: string, text: string, value: string): Block => ({
  type: 'actions',
  elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text }, value }],
});

const percent = (share: number | null) => (share === null ? 'n/a' : `${Math.round(share * 100)}%`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A forecast amount in whole units of its currency ("USD 1,814"): cents would claim a precision it has not. */
function roughMoney(minor: number, currency: string): string {
  const exponent = stripeExponent(currency);
  const whole = Math.round(minor / 10 ** exponent);
  return formatMoney({ minor: whole * 10 ** exponent, currency }).replace(/\.0+$/, '');
}
const day = (date: string) => formatDay(date);

/** The answer to a `/cashin` question, as a message. */
export function drawAnswer(answer: CashAnswer): Drawn {
  const blocks = fitText(answerBlocks(answer).slice(0, SLACK_LIMITS.blocksPerMessage), SLACK_LIMITS.messageText - TEXT_MARGIN);
  // The fallback is what notifications show, and Slack reads markup in it too: names are escaped.
  return { text: escapeMrkdwn(fallbackOf(answer)), blocks };
}

/** Room kept for what is added after the answer is drawn (the Share button). */
const TEXT_MARGIN = 200;

const textOf = (b: Block): string => ('text' in b && b.text && typeof b.text === 'object' && 'text' in b.text ? String(b.text.text) : '');

/**
 * Slack refuses a message whose blocks carry more than about 12,000 characters of text: the longest
 * sections are cut (with "…") until the whole fits. Only many currencies over 13 weeks get there.
 */
function fitText(blocks: Block[], budget: number): Block[] {
  const total = () => blocks.reduce((sum, b) => sum + textOf(b).length, 0);
  let excess = total() - budget;
  while (excess > 0) {
    let longest = -1;
    for (let i = 0; i < blocks.length; i += 1)
      if (blocks[i]?.type === 'section' && textOf(blocks[i] as Block).length > textOf(blocks[longest] ?? ({} as Block)).length) longest = i;
    const block = blocks[longest];
    if (!block || textOf(block).length <= 100) break;
    const text = textOf(block);
    const cut = truncateMrkdwn(text, Math.max(100, text.length - excess - 1));
    blocks[longest] = { type: 'section', text: { type: 'mrkdwn', text: cut } };
    excess = total() - budget;
  }
  return blocks;
}

/** An answer shared in the channel by `userId` (a Slack user id, checked), who is named under it. */
export function drawShared(answer: CashAnswer, userId: string): Drawn {
  const drawn = drawAnswer(answer);
  const who = /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : 'an approver';
  return {
    text: `Shared by ${who}: ${drawn.text}`,
    blocks: [...drawn.blocks.slice(0, SLACK_LIMITS.blocksPerMessage - 1), context(`Shared by ${who} from \`/cashin\`.`)],
  };
}

/** The private answer, with the button that shares it in the channel. */
export function drawPrivateAnswer(answer: CashAnswer, question: string): Drawn {
  const drawn = drawAnswer(answer);
  if (answer.kind === 'help' || answer.kind === 'no-client') return drawn;
  const share = button(SHARE_ACTION, 'Share in channel', truncate(question, 200) || 'forecast');
  return { text: drawn.text, blocks: [...drawn.blocks.slice(0, SLACK_LIMITS.blocksPerMessage - 1), share] };
}

function fallbackOf(answer: CashAnswer): string {
  switch (answer.kind) {
    case 'forecast': {
      const main = answer.forecast.currencies[0];
      const total = main ? main.weeks.reduce((a, w) => a + w.expected, 0) : 0;
      return main
        ? `Cash-in forecast: ${formatMoney({ minor: Math.round(total), currency: main.currency })} expected over ${main.weeks.length} weeks`
        : 'Cash-in forecast: nothing is expected yet';
    }
    case 'aging':
      return 'Unpaid invoices by days past due';
    case 'kpis':
      return 'Collection KPIs';
    case 'client':
      return `${answer.client.name}: how they pay and what is expected`;
    case 'no-client':
      return answer.asked.trim() ? `No client named ${answer.asked}` : 'Which client?';
    case 'exceptions':
      return `Open exceptions: ${answer.rows.length}`;
    case 'help':
      return 'Cashin help';
  }
}

function answerBlocks(answer: CashAnswer): Block[] {
  switch (answer.kind) {
    case 'forecast':
      return forecastBlocks(answer);
    case 'aging':
      return [header('Unpaid invoices by days past due'), ...agingBlocks(answer.kpis.aging)];
    case 'kpis':
      return kpiBlocks(answer.kpis);
    case 'client':
      return clientBlocks(answer);
    case 'no-client': {
      const known = answer.known.slice(0, 30).map((n) => escapeMrkdwn(truncate(n, 60)));
      const list = known.length > 0 ? ` Clients: ${known.join(', ')}${answer.known.length > 30 ? ', …' : ''}.` : ' The Clients table is empty.';
      const asked = answer.asked.trim();
      return [section(`${asked ? `No client is named "${escapeMrkdwn(truncate(asked, 80))}".` : 'Which client? `/cashin client Acme`.'}${list}`)];
    }
    case 'exceptions':
      return [section(buildExceptionsText(answer.rows as ExceptionRow[], answer.at))];
    case 'help':
      return [
        ...(answer.unknown ? [section(`\`/cashin ${escapeMrkdwn(truncate(answer.unknown, 80))}\` is not something Cashin knows. Here is what it does:`)] : []),
        section(CASHIN_HELP),
      ];
  }
}

function weekLines(p: CurrencyProjection, timeZone: string): string {
  const rows = p.weeks.map((w, i) => {
    const m = (minor: number) => roughMoney(minor, p.currency);
    const monday = formatDay(localDate(w.start, timeZone));
    const label = i === 0 ? `This week (from ${monday})` : `Week of ${monday}`;
    return `• ${label}: *${m(w.expected)}*  (80% band ${m(w.low)} to ${m(w.high)})`;
  });
  return rows.join('\n');
}

function forecastBlocks(answer: CashAnswer & { kind: 'forecast' }): Block[] {
  const { forecast, lines, accuracy, timeZone } = answer;
  const blocks: Block[] = [header(`Cash-in forecast, ${forecast.currencies[0]?.weeks.length ?? 5} weeks from ${formatDay(localDate(answer.at, timeZone))}`)];
  if (forecast.currencies.length === 0) {
    blocks.push(section('Nothing is expected yet: no invoice is open and no milestone is accepted or delivered.'));
  }
  for (const p of forecast.currencies) {
    const overdue =
      p.overdue > 0
        ? `\nOverdue now: *${formatMoney({ minor: p.overdue, currency: p.currency })}* (already past due, counted in the weeks above when expected)`
        : '';
    blocks.push(section(`*${p.currency}*\n${weekLines(p, timeZone)}${overdue}`));
  }
  const apart = forecast.currencies.length > 1 ? 'Each currency on its own: nothing is converted or added across. ' : '';
  const main = answer.currency;
  blocks.push(
    context(
      apart +
        (accuracy
          ? `Track record (${main}, this week's forecast each Monday): over the last ${plural(accuracy.weeks, 'week')} the forecast was off by ${accuracy.errorPercent}% of the cash that came in.`
          : `Track record: none yet; each Monday's ${main} forecast is recorded in the Forecasts table and scored once its week is over.`),
    ),
  );
  if (lines.length > 0) {
    blocks.push(divider, section(`*By invoice* (soonest first)\n${itemLines(lines, 12)}`));
  }
  return blocks;
}

function itemLines(lines: readonly ItemLine[], max: number): string {
  const sorted = [...lines].sort((a, b) => a.expectedDate.localeCompare(b.expectedDate));
  const shown = sorted.slice(0, max).map((l) => {
    const late = l.daysLate > 0 ? `, ${l.daysLate} day${l.daysLate === 1 ? '' : 's'} late` : '';
    const why = l.reasons.length > 0 ? `: ${escapeMrkdwn(truncate(l.reasons.join('; '), 120))}` : '';
    return `• ${day(l.expectedDate)}: ${formatMoney(l.amount)}, ${escapeMrkdwn(truncate(l.title, 60))} (${escapeMrkdwn(truncate(l.client, 40))})${l.projected ? ', not invoiced yet' : ''}${late}. *${l.tier}*, ${Math.round(l.confidence * 100)}%${why}`;
  });
  const more = sorted.length > max ? [`… and ${sorted.length - max} more`] : [];
  return [...shown, ...more].join('\n');
}

function agingBlocks(aging: readonly AgingBucket[]): Block[] {
  const label = (b: AgingBucket) => (b.key === 'current' ? 'Not yet due' : `${b.key} days past due`);
  const amounts = (b: AgingBucket) =>
    Object.entries(b.amounts)
      .map(([currency, minor]) => formatMoney({ minor, currency }))
      .join(' + ') || 'nothing';
  const total = aging.reduce((a, b) => a + b.count, 0);
  if (total === 0) return [section('No unpaid invoices: nothing to age.')];
  return [section(aging.map((b) => `• *${label(b)}*: ${b.count} invoice${b.count === 1 ? '' : 's'}, ${amounts(b)}`).join('\n'))];
}

function rateLine(name: string, k: RateKpi): string {
  const target = `target ${k.target.comparison} ${Math.round(k.target.value * 100)}%`;
  const verdict = k.met === null ? 'nothing to measure yet' : k.met ? 'on target' : '*off target*';
  return `• ${name}: *${percent(k.rate)}* (${k.count} of ${k.of}; ${target}, ${verdict})`;
}

function kpiBlocks(k: Kpis): Block[] {
  const hours = k.acceptanceLag.median;
  const lag = hours === null ? 'n/a' : hours < 48 ? `${Math.round(hours * 10) / 10} hours` : `${Math.round((hours / 24) * 10) / 10} days`;
  const dtp = k.daysToPay.median === null ? 'n/a' : `${Math.round(k.daysToPay.median * 10) / 10} days`;
  const dso = k.dso.length === 0 ? 'n/a' : k.dso.map((d) => `${d.currency} ${d.days === null ? 'n/a' : `${Math.round(d.days)} days`}`).join(', ');
  return [
    header(`Collection KPIs, last ${k.windowDays} days`),
    section(
      [
        `• Acceptance to invoice (median): *${lag}* (${plural(k.acceptanceLag.samples, 'invoice')})`,
        rateLine('Same-day dispatch', k.sameDayDispatch),
        rateLine('Dispute rate', k.disputeRate),
        `• Days to pay (median): *${dtp}* (${k.daysToPay.samples} paid)`,
        `• DSO: *${dso}*`,
      ].join('\n'),
    ),
    section('*Aging*'),
    ...agingBlocks(k.aging),
  ];
}

function clientBlocks(answer: CashAnswer & { kind: 'client' }): Block[] {
  const c = answer.client;
  const facts = [
    `Terms: ${c.paymentTermsDays === null ? 'default' : `${c.paymentTermsDays} days`}; reminders: ${escapeMrkdwn(c.cadence)}`,
    `Paid invoices: ${c.paidInvoices}; median days to pay: ${c.medianDaysToPay === null ? 'n/a' : Math.round(c.medianDaysToPay * 10) / 10}; paid late: ${percent(c.lateShare)}; disputes: ${c.disputes}`,
    ...(c.servicePaused ? ['*Service is paused* for non-payment.'] : []),
  ];
  return [
    header(truncate(c.name, 140)),
    section(facts.join('\n')),
    section(answer.lines.length > 0 ? `*Expected from them*\n${itemLines(answer.lines, 15)}` : 'Nothing open or accepted for this client.'),
  ];
}

/** App Home: the same dashboard, one view. */
export function drawHome(home: HomeView): types.HomeView {
  if (!home.ready) {
    return { type: 'home', blocks: [section(escapeMrkdwn(home.reason))] };
  }
  const blocks = [
    ...answerBlocks(home.forecast),
    divider,
    ...answerBlocks(home.kpis),
    divider,
    header('Open exceptions'),
    ...answerBlocks(home.exceptions),
    context('Refreshed each time you open this tab. `/cashin help` lists what else Cashin answers.'),
  ];
  return { type: 'home', blocks: blocks.slice(0, SLACK_LIMITS.blocksPerView) };
}
