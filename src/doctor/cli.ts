/**
 * npm run doctor: checks every credential and id in your environment against the real services
 * (or whatever the *_URL overrides point at), one line per check with what to fix.
 */
import { pino } from 'pino';
import { createClients } from '../app/clients.js';
import { chooseStartMode, ConfigError } from '../config.js';
import { formatChecks, runChecks } from './checks.js';

async function main(): Promise<number> {
  let mode: ReturnType<typeof chooseStartMode>;
  try {
    mode = chooseStartMode(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stdout.write(`✗ Configuration\n${error.problems.map((p) => `    → ${p}`).join('\n')}\n`);
    return 1;
  }
  if (mode.kind === 'sandbox') {
    process.stdout.write('No credentials are set, so `npm start` runs the sandbox. Set them (see .env.example) and run doctor again to check a real setup.\n');
    return 2;
  }
  const logger = pino({ level: 'silent' });
  const checks = await runChecks(mode.config, createClients(mode.config, logger), logger);
  process.stdout.write(`✓ Configuration: ${mode.config.mode === 'socket' ? 'Socket Mode' : 'HTTP mode'}\n${formatChecks(checks)}\n`);
  return checks.every((c) => c.ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`doctor failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
