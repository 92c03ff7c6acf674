/**
 * Entry point of `npm start` and the composition root: the only file that reads process.env.
 * With credentials it runs the bot against the real services; with none, the sandbox.
 */
import { start } from './app/start.js';
import { chooseStartMode, ConfigError } from './config.js';
import { createLogger } from './log.js';
import { startSandbox } from './sandbox/run.js';

async function main(): Promise<void> {
  let mode: ReturnType<typeof chooseStartMode>;
  try {
    mode = chooseStartMode(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee README.md, "Configuration".\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(mode.kind === 'live' ? mode.config.logLevel : process.env.LOG_LEVEL || 'warn');
  try {
    const running = mode.kind === 'live' ? await start(mode.config, logger) : await startSandbox(process.env, logger);
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void running.stop().finally(() => process.exit(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.fatal({ err: error }, 'cashin could not start');
    process.stderr.write(`Cashin could not start: ${message}\n`);
    process.exit(1);
  }
}

void main();
