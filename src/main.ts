/**
 * Entry point: `node dist/main.js` (what `npm start` and the Docker image run). With credentials in
 * the environment it runs the bot against Slack, Notion and Stripe; with none, the sandbox, whose
 * emulators are loaded only then.
 */
import { start } from './app/start.js';
import { startupFailure } from './app/startup-failure.js';
import { chooseStartMode, ConfigError, type StartMode } from './config.js';
import { createLogger } from './log.js';

async function main(): Promise<void> {
  let mode: StartMode;
  try {
    mode = chooseStartMode(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee README.md, "Configuration".\n`);
    process.exit(1);
  }
  const level = mode.kind === 'live' ? mode.config.logLevel : mode.logLevel;
  const logger = createLogger(level);
  try {
    const running = mode.kind === 'live' ? await start(mode.config, logger) : await (await import('./sandbox/run.js')).startSandbox(process.env, logger);
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void running.stop().finally(() => process.exit(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  } catch (error) {
    // The founder reads one message; the stack trace is for whoever runs with LOG_LEVEL=debug.
    if (level === 'debug' || level === 'trace') logger.error({ err: error }, 'cashin could not start');
    process.stderr.write(`Cashin could not start: ${startupFailure(error, mode.kind === 'live' ? mode.config.port : Number(process.env.PORT || 3000))}\n`);
    process.exit(1);
  }
}

void main();
