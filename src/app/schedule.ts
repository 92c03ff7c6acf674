/**
 * Weekly jobs on the wall clock, with node-cron in CASHIN_TIMEZONE (it knows daylight saving). A
 * fire that fails is logged; the claims and the "already done" check in WeeklyJobs make a second
 * replica, or a restart, harmless.
 */
import cron from 'node-cron';
import type { Logger } from '../log.js';
import { cronOf, type WeeklyJobs } from '../workflows/weekly-jobs.js';

export type Schedule = { stop(): Promise<void> };

export function scheduleWeekly(weekly: WeeklyJobs, timeZone: string, logger: Logger): Schedule {
  const tasks = weekly.jobs.map((job) =>
    cron.schedule(
      cronOf(job),
      async () => {
        try {
          await weekly.fire(job.name);
        } catch (error) {
          logger.error(
            { job: job.name, reason: error instanceof Error ? error.message : String(error) },
            'weekly job failed; it is tried again when Cashin restarts',
          );
        }
      },
      { timezone: timeZone, name: job.name, noOverlap: true },
    ),
  );
  return {
    async stop() {
      for (const task of tasks) await task.destroy();
    },
  };
}
