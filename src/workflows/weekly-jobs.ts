/**
 * The weekly posts (the Friday review, the Monday forecast): each once a week, at its time in the
 * founder's zone, however many replicas run and whatever restarts in between.
 *   - A scheduler (node-cron in production) fires a job at its time; `catchUp()`, every few minutes,
 *     fires the jobs whose time passed less than 20 hours ago and that have not run: after downtime,
 *     or after a run that failed.
 *   - A job that already did its week (its message is in the channel) does nothing.
 *   - Otherwise the replicas race for a claim on the job's week (a Lease over the Claims port: first
 *     caller wins, atomically), so two replicas firing together run it once, while a retry after a
 *     crash half-way can still run it.
 */
import { latestWeeklySlot } from '../domain/weekly-review.js';
import type { Logger } from '../log.js';
import { Lease, type Claims } from './claims.js';
import type { Clock } from './ports.js';

export type WeeklyJob = {
  readonly name: string;
  /** 0 is Sunday. */
  readonly weekday: number;
  /** Minutes after local midnight. */
  readonly minute: number;
  /**
   * Whether this week's run already happened (e.g. its message is in the channel). `since` is the
   * week's slot: the run cannot have happened before it, so a search can stop there.
   */
  readonly done: (week: string, since: Date) => Promise<boolean>;
  readonly run: (week: string) => Promise<void>;
};

export type WeeklyJobsDeps = { jobs: readonly WeeklyJob[]; clock: Clock; timeZone: string; claims: Claims; logger: Logger };

export type FireResult = 'ran' | 'already-done' | 'claimed-elsewhere' | 'not-due';

/**
 * A run is claimed in windows of 10 minutes (see Lease): two replicas firing within one post once,
 * a replica whose run failed retries at its next catch-up, and one that died holding the claim holds
 * the week back for 20 minutes at most.
 */
export const RUN_CLAIM_WINDOW_MS = 10 * 60_000;

/** A job missed by more than this is skipped: a day-old post is news no more. */
const CATCH_UP_MS = 20 * 3_600_000;

export class WeeklyJobs {
  readonly #deps: WeeklyJobsDeps;
  readonly #ran = new Set<string>();
  readonly #lease: Lease;

  constructor(deps: WeeklyJobsDeps) {
    this.#deps = deps;
    this.#lease = new Lease(deps.claims, deps.clock, RUN_CLAIM_WINDOW_MS);
  }

  get jobs(): readonly WeeklyJob[] {
    return this.#deps.jobs;
  }

  /** Runs `name` for the week whose time has come (the scheduler calls this at the job's time). */
  async fire(name: string): Promise<FireResult> {
    const job = this.#deps.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`no weekly job named ${name}`);
    const { clock, timeZone, logger } = this.#deps;
    const now = clock.now();
    const { week, at } = latestWeeklySlot(now, timeZone, job.weekday, job.minute);
    const key = `${job.name}:${week}`;
    if (this.#ran.has(key)) return 'already-done';
    if (await job.done(week, at)) {
      this.#ran.add(key);
      return 'already-done';
    }
    if (!(await this.#lease.claim(key))) {
      logger.info({ job: job.name, week }, 'weekly job claimed by another replica');
      return 'claimed-elsewhere';
    }
    await job.run(week);
    this.#ran.add(key);
    logger.info({ job: job.name, week }, 'weekly job ran');
    return 'ran';
  }

  /** Fires every job whose time passed less than a day ago and that has not run for that week. */
  async catchUp(): Promise<void> {
    const { clock, timeZone } = this.#deps;
    const now = clock.now();
    for (const job of this.#deps.jobs) {
      const slot = latestWeeklySlot(now, timeZone, job.weekday, job.minute);
      if (now.getTime() - slot.at.getTime() <= CATCH_UP_MS && !this.#ran.has(`${job.name}:${slot.week}`)) await this.fire(job.name);
    }
  }
}

/** A weekly job's cron expression, e.g. Friday 16:00 → "0 16 * * 5". */
export function cronOf(job: Pick<WeeklyJob, 'weekday' | 'minute'>): string {
  return `${job.minute % 60} ${Math.floor(job.minute / 60)} * * ${job.weekday}`;
}
