/**
 * npm run docs:ledger: writes docs/ledger.md from the ledger contract in src/ledger/contract.ts.
 * A test renders it again and compares, so the page and the code cannot drift apart.
 */
import { writeFile } from 'node:fs/promises';
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
`;

const TITLES: Record<TableName, string> = {
  Milestones: 'Milestones: one row per billable milestone',
  Clients: 'Clients',
  Forecasts: 'Forecasts: one row per week, written by the weekly forecast',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function type(spec: PropertySpec): string {
  const types = spec.types.join(' or ');
  return spec.options ? `${types}: ${spec.options.join(', ')}` : types;
}

export function renderLedgerDoc(): string {
  const tables = (Object.keys(TABLES) as TableName[]).map((table) => {
    const rows = Object.entries(TABLES[table]).map(([name, spec]) => `| ${cell(name)} | ${cell(type(spec))} | ${spec.owner} | ${cell(spec.meaning)} |`);
    return [`## ${TITLES[table]}`, '', '| Property | Notion type | Owner | Meaning |', '|---|---|---|---|', ...rows].join('\n');
  });
  return `${[INTRO, ...tables].join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(new URL('../docs/ledger.md', import.meta.url), renderLedgerDoc());
  process.stdout.write('docs/ledger.md written from src/ledger/contract.ts\n');
}
