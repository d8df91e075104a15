// Background work, run by one instance at a time: whoever holds the Postgres advisory lock.
// Another instance takes over when the holder dies (its session, and so its lock, ends).
import type { DataSource, QueryRunner } from 'typeorm';
import type { Logger } from '../logger.js';

export const LEADER_LOCK_KEY = 7_130_001; // arbitrary, fixed: one lock for all of syncwatch's background work

export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

export class Scheduler {
  private runner: QueryRunner | null = null;
  private timers: NodeJS.Timeout[] = [];
  private electionTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private leader = false;

  constructor(
    private readonly db: DataSource,
    private readonly jobs: Job[],
    private readonly logger: Logger,
    private readonly electionEveryMs = 5_000,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    void this.elect();
    this.electionTimer = setInterval(() => void this.elect(), this.electionEveryMs);
  }

  private async elect(): Promise<void> {
    if (this.stopped) return;
    if (this.leader) return this.checkLeadership();
    try {
      this.runner ??= this.db.createQueryRunner();
      const [{ locked }] = await this.runner.query('SELECT pg_try_advisory_lock($1) AS locked', [LEADER_LOCK_KEY]);
      if (!locked || this.stopped) return;
      this.leader = true;
      this.logger.info('this instance runs the background jobs');
      for (const job of this.jobs) {
        void this.runJob(job);
        this.timers.push(setInterval(() => void this.runJob(job), job.everyMs));
      }
    } catch (error) {
      this.logger.warn('leader election failed; will retry', { error: String(error) });
      await this.runner?.release().catch(() => {});
      this.runner = null;
    }
  }

  /** A leader whose lock connection died has lost the lock: it stops, and the next election may win it back. */
  private async checkLeadership(): Promise<void> {
    try {
      await this.runner?.query('SELECT 1');
    } catch {
      this.logger.warn('lost the background-jobs lock connection; stepping down');
      for (const timer of this.timers) clearInterval(timer);
      this.timers = [];
      this.leader = false;
      await this.runner?.release().catch(() => {});
      this.runner = null;
    }
  }

  private running = new Set<string>();
  private async runJob(job: Job): Promise<void> {
    if (this.running.has(job.name) || this.stopped) return;
    this.running.add(job.name);
    try {
      await job.run();
    } catch (error) {
      this.logger.error('background job failed', { job: job.name, error: String(error) });
    } finally {
      this.running.delete(job.name);
    }
  }

  /** Stops starting jobs, waits for running ones up to the deadline, then releases the lock. */
  async stop(deadlineMs = 5_000): Promise<void> {
    this.stopped = true;
    if (this.electionTimer) clearInterval(this.electionTimer);
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    const until = Date.now() + deadlineMs;
    while (this.running.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (this.running.size > 0) {
      // Their transactions roll back when the process ends; each job is idempotent and runs again on the next leader.
      this.logger.warn('background jobs still running at the shutdown deadline', { jobs: [...this.running] });
    }
    if (this.runner) {
      if (this.leader) await this.runner.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK_KEY]).catch(() => {});
      await this.runner.release().catch(() => {});
    }
    this.leader = false;
  }
}
