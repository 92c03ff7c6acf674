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
performed, never the ones missed. An open exception (*Dispute reason*) pauses the ladder, and
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
  return `${[INTRO, ...tables].join('\n')}\n\n${ladderTables()}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(new URL('../docs/ledger.md', import.meta.url), renderLedgerDoc());
  process.stdout.write('docs/ledger.md written from src/ledger/contract.ts\n');
}
