/**
 * npm run docs:ledger: writes docs/ledger.md from the ledger contract in src/ledger/contract.ts.
 * A test renders it again and compares, so the page and the code cannot drift apart.
 */
import { writeFile } from 'node:fs/promises';
import { FINAL_BY_HAND, PRESETS, type LadderStep } from '../src/domain/ladder.js';
import { TABLES, type PropertySpec, type TableName } from '../src/ledger/contract.js';

const INTRO = `# The ledger (Notion)

Notion is the founder's ledger: you read and edit it by hand, Cashin reads it and writes its own
columns. This page is generated from \`src/ledger/contract.ts\` (\`npm run docs:ledger\`); a test keeps
the two equal. \`npm run setup:notion\` creates exactly these tables, and start-up refuses a ledger
that lacks a property or has it with another type, naming each one.

Rules that hold for every table:
- **Owner** says who writes a property: *founder*, *bot* (Cashin), or *founder/bot*: you, or Cashin
  when you act through Slack (for example clicking "Client accepted"). Cashin never overwrites a
  founder property otherwise.
- \`Stage\` may be a Notion \`select\` or \`status\` property; the setup script creates a \`select\`.
- Money is typed in major units (2500, 2500.5). Cashin converts it to the minor units Stripe counts
  in for that currency and refuses an amount the currency cannot hold.
- Dates Cashin writes are ISO 8601 with an offset; "today" is taken in \`CASHIN_TIMEZONE\`.
- Every transition Cashin makes on a milestone is also a comment on its page: the audit trail.
- Rows you already have stay as they are. Cashin reads them, writes only its own columns, and bills
  nothing that is not Delivered or Accepted and passing every billing rule.
- A property whose type is marked *(optional)* may be missing: Cashin works without it, and \`setup:notion\`
  creates it. Add it by hand to an older ledger to use it.
`;

const TITLES: Record<TableName, string> = {
  Milestones: 'Milestones: one row per billable milestone',
  Clients: 'Clients',
  Forecasts: 'Forecasts: one row per week, written by the weekly forecast',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

const ACTIONS: Record<LadderStep['action'], string> = {
  'client-reminder': 'Stripe emails the invoice again, with its payment link; the thread gets a follow-up draft',
  'founder-escalation': 'escalation to you in Slack, naming the Billing owner, with a checklist of billing data to confirm',
  'service-risk': 'service-risk flag in Slack, with a courtesy call summary',
  'final-notice': 'Stripe emails the invoice again as the final notice; with *Service pause* set, *Service paused* is set too',
};

const LADDERS = `## Reminder ladders

Once an invoice is sent and until it is paid, Cashin chases it on the ladder the client's *Reminder
cadence* picks (blank means Standard). Each step is recorded in *Reminder stage* and in an audit
comment before the next one can start, and posted as a reply under the milestone's Slack card.
Reminders to the client go out only on \`REMINDER_DAYS\` inside \`REMINDER_HOURS\`, in
\`CASHIN_TIMEZONE\`; steps for you are not held back. After downtime only the one step due now is
performed, never the ones missed; when that step is for the client and Cashin comes back outside
reminder hours, it waits for the next opening. When the cadence changes mid-way, a step of the new
ladder counts as done if it falls before the recorded one (or on the same day and does the same
thing); after any final notice the ladder is finished. An open exception (*Dispute reason*) pauses the ladder, and
resuming moves every later step by the length of the pause; *Promise to pay* and a snooze hold it;
payment ends it. *Reminder offsets* on a client replaces the days (one number per step).

`;

function ladderTables(): string {
  const presets = Object.values(PRESETS).map((ladder) => {
    const rows = ladder.steps.map(
      (s) =>
        `| ${cell(s.name)} | ${s.anchor === 'sent' ? `${s.offsetDays} days after sent` : `${s.offsetDays} day${s.offsetDays === 1 ? '' : 's'} after due`} | ${ACTIONS[s.action]} |`,
    );
    return [`### ${ladder.cadence}`, '', '| Reminder stage | When | What happens |', '|---|---|---|', ...rows].join('\n');
  });
  const byHand = `"${FINAL_BY_HAND.name}" is recorded when you click *Send final notice* on a ladder without a final notice of its own; it ends the ladder.`;
  return `${LADDERS}${presets.join('\n\n')}\n\n${byHand}\n`;
}

const SNAPSHOTS = `## Ledger snapshots (JSON)

A snapshot is the ledger as plain JSON, for scripts, audits and forecast backtests.
\`npm run forecast -- --ledger snapshot.json --at 2026-06-01T09:00:00Z\` prints the cash-in forecast
of one, as it would have been made at \`--at\`: nothing dated after it is used (a payment made
later was not made yet, an invoice sent later was not sent yet).

\`\`\`json
{
  "currency": "USD",
  "clients": [
    { "Client": "Acme", "Billing email": "ap@acme.test", "Currency": "USD", "Payment terms": 30,
      "PO required": false, "Reminder cadence": "Standard", "Review before send": false }
  ],
  "milestones": [
    { "id": "m-001", "Milestone": "Homepage design approved", "Client": "Acme", "Amount": 2500,
      "Currency": "USD", "Stage": "Accepted", "Due": "2026-05-20", "Completed": "2026-05-18",
      "Accepted": "2026-05-19", "Acceptance evidence": "https://example.test/ok",
      "Invoice status": "Sent", "Invoice sent": "2026-05-19T10:00:00Z", "Invoice due": "2026-06-18",
      "Paid on": null, "Amount paid": 0, "Dispute reason": null, "Promise to pay": null }
  ]
}
\`\`\`

- Keys are the property names above, plus a milestone's \`id\`; a key the ledger does not have is
  refused. \`Client\` is the client's name. An absent key, \`null\` or \`""\` is an empty property.
- Dates are ISO 8601: a date alone is the start of that day in \`CASHIN_TIMEZONE\` (or \`--timezone\`);
  a date-time needs \`Z\` or an offset.
- Paid invoices stay in the snapshot: they are the clients' payment history.

The command prints JSON:

\`\`\`json
{ "at": "2026-06-01T09:00:00Z", "currency": "USD",
  "weeks": [ { "start": "2026-06-01", "expected": 12345.67, "low": 9000.0, "high": 15000.0 } ],
  "otherCurrencies": { "EUR": [ { "start": "2026-06-01", "expected": 850.0, "low": 0.0, "high": 1350.0 } ] },
  "invoices": [ { "id": "m-001", "expectedDate": "2026-06-20", "confidence": 0.82, "tier": "High" } ] }
\`\`\`

- \`weeks\` starts with the week that holds \`--at\` (weeks run Monday to Sunday in \`CASHIN_TIMEZONE\`);
  5 weeks, or \`--weeks N\`.
- Amounts are major units of \`currency\`. Other currencies are never summed in: each has its own
  list of weeks under \`otherCurrencies\`, keyed by its code.
- \`low\` and \`high\` bound an 80 % interval: a week's actual cash-in should fall inside it about
  4 weeks out of 5.
- \`invoices\` lists every open invoice, and every accepted or delivered milestone not invoiced yet,
  with the day its money is expected, the confidence (0 to 1) of payment by then, and the tier.
`;

function type(spec: PropertySpec): string {
  const types = spec.types.join(' or ');
  return spec.options ? `${types}: ${spec.options.join(', ')}` : types;
}

export function renderLedgerDoc(): string {
  const tables = (Object.keys(TABLES) as TableName[]).map((table) => {
    const rows = Object.entries(TABLES[table]).map(
      ([name, spec]: [string, PropertySpec]) =>
        `| ${cell(name)} | ${cell(type(spec))}${spec.optional ? ' *(optional)*' : ''} | ${spec.owner} | ${cell(spec.meaning)} |`,
    );
    return [`## ${TITLES[table]}`, '', '| Property | Notion type | Owner | Meaning |', '|---|---|---|---|', ...rows].join('\n');
  });
  return `${[INTRO, ...tables].join('\n')}\n\n${ladderTables()}\n${SNAPSHOTS}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(new URL('../docs/ledger.md', import.meta.url), renderLedgerDoc());
  process.stdout.write('docs/ledger.md written from src/ledger/contract.ts\n');
}
