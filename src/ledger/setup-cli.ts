/**
 * npm run setup:notion -- --parent <page id>
 * Creates Cashin's three databases under a Notion page shared with your integration and prints the
 * lines to paste into .env.
 */
import { parseArgs } from 'node:util';
import { Client, LogLevel } from '@notionhq/client';
import { classifyFailure } from '../doctor/failure.js';
import { createLedger, envLines } from './setup.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { parent: { type: 'string' } } });
  const token = process.env.NOTION_TOKEN;
  const problems = [
    ...(token ? [] : ['NOTION_TOKEN is not set: create an internal integration at notion.so/profile/integrations and export its secret.']),
    ...(values.parent ? [] : ['--parent is missing: pass the id of the Notion page that should hold the databases (share it with the integration first).']),
  ];
  if (problems.length > 0 || !token || !values.parent) {
    process.stderr.write(`setup:notion cannot run:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }
  const notion = new Client({ auth: token, baseUrl: process.env.NOTION_BASE_URL, logLevel: LogLevel.ERROR });
  const ledger = await createLedger(notion, values.parent);
  process.stdout.write(`Created Clients, Milestones and Forecasts. Add these lines to .env:\n\n${envLines(ledger)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { kind, code } = classifyFailure(error);
    const why =
      kind === 'network'
        ? `could not reach Notion (${code}): check this machine's internet access, DNS, proxy and firewall`
        : kind === 'timeout'
          ? 'Notion did not answer in time: try again in a minute'
          : kind === 'refused'
            ? "Notion refused NOTION_TOKEN: copy the integration's secret again"
            : `${error instanceof Error ? error.message : String(error)} (is the page shared with the integration, and is --parent its id?)`;
    process.stderr.write(`setup:notion failed: ${why}\n`);
    process.exitCode = 1;
  },
);
