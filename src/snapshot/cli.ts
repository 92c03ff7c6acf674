/**
 * npm run forecast -- --ledger <snapshot.json> [--at <ISO 8601 instant>] [--weeks N] [--timezone Europe/Berlin]
 *
 * Prints the cash-in forecast of a ledger snapshot (src/snapshot/read.ts) as JSON
 * (src/snapshot/report.ts), as it would have been made at `--at` (default: now): nothing dated
 * after it is used. Weeks run Monday to Sunday in `--timezone`, else CASHIN_TIMEZONE, else UTC;
 * 5 of them unless `--weeks` says otherwise. Bad arguments or a bad snapshot: one message per
 * problem on stderr, exit 1.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isTimeZone, parseInstant } from '../domain/time.js';
import { isIsoDate, readSnapshotText, SnapshotError } from './read.js';
import { forecastReport } from './report.js';

const USAGE = 'usage: npm run forecast -- --ledger <snapshot.json> [--at <ISO 8601 instant>] [--weeks N] [--timezone Europe/Berlin]';
const MAX_WEEKS = 104;

class UsageError extends Error {}

function main(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  let values: { ledger?: string; at?: string; weeks?: string; timezone?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ledger: { type: 'string' }, at: { type: 'string' }, weeks: { type: 'string' }, timezone: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const problems: string[] = [];
  const timeZone = values.timezone ?? (env.CASHIN_TIMEZONE?.trim() || 'UTC');
  if (!isTimeZone(timeZone))
    problems.push(`${values.timezone ? '--timezone' : 'CASHIN_TIMEZONE'} "${timeZone}" is not an IANA time zone such as Europe/Berlin`);
  if (!values.ledger) problems.push('--ledger is missing: give the path of a ledger snapshot (JSON)');
  if (values.at !== undefined && !isIsoDate(values.at))
    problems.push(`--at "${values.at}" must be an ISO 8601 instant such as 2026-06-01T09:00:00Z (or a date)`);
  const weeks = values.weeks === undefined ? 5 : /^\d+$/.test(values.weeks) ? Number(values.weeks) : Number.NaN;
  if (!(weeks >= 1 && weeks <= MAX_WEEKS)) problems.push(`--weeks "${values.weeks}" must be a whole number of weeks from 1 to ${MAX_WEEKS}`);
  if (problems.length > 0 || !values.ledger) throw new UsageError(problems.join('\n'));
  const at = values.at === undefined ? new Date() : parseInstant(values.at, timeZone);
  if (!at) throw new UsageError(`--at "${values.at}" is not a date`);

  let json: string;
  try {
    json = readFileSync(values.ledger, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read --ledger ${values.ledger}: ${code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error)}`,
    );
  }
  const snapshot = readSnapshotText(json, values.ledger, { timeZone });
  return `${JSON.stringify(forecastReport(snapshot, { at, weeks, timeZone }), null, 2)}\n`;
}

try {
  process.stdout.write(main(process.argv.slice(2), process.env));
} catch (error) {
  if (error instanceof UsageError) process.stderr.write(`forecast: ${error.message.split('\n').join('\nforecast: ')}\n${USAGE}\n`);
  else if (error instanceof SnapshotError) process.stderr.write(`forecast: ${error.message}\n`);
  else process.stderr.write(`forecast failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
