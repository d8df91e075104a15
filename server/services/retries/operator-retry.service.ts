// Operators' retries, replays and discards: a selection of failed records (ids or a filter) becomes new attempts
// in QUEUED RETRY runs, or dead letters are closed. Large selections go in chunks; each action is audited once.
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../../domain/actor.js';
import { RecordStatus } from '../../domain/enums.js';
import { FAILURE_REPORT_STATUSES } from '../../domain/record-outcome.js';
import { optionalText } from '../../domain/text-limits.js';
import { SyncRun } from '../../entities/SyncRun.js';
import { appendEvents } from '../../events/event-log.js';
import { countEligibleSql, countSelectedSql, discardSelectedSql, takeSelectedSql } from '../../sql/retries.js';
import { type AuditService, countByTenant } from '../access/audit.service.js';
import { BULK_CHUNK_SIZE, inChunks, requireVisibleRun, type Selection, selectedRecords } from '../lists/record-selection.js';
import { changedRecordEvents, joinQueuedRetryRuns, queueRetryRuns, type Taken } from './retry-runs.js';

export interface RetryOutcome {
  matched: number;
  scheduled: number;
  skipped: number;
  retryRun: SyncRun | null;
}

/**
 * Failures an operator's retry takes, including those waiting for an automatic retry (the retry comes forward);
 * records already in a retry run, succeeded or closed are skipped.
 */
const RETRYABLE_BY_OPERATOR = [...FAILURE_REPORT_STATUSES, RecordStatus.DEAD_LETTERED];

export class OperatorRetryService {
  /** Records per transaction of a bulk mutation by filter; tests lower it to see chunks on small data. */
  chunkSize = BULK_CHUNK_SIZE;

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** `reason`: why, kept with the action in the audit log. */
  retryRecords(actor: Actor, selection: Selection, dryRun: boolean, reason?: string | null): Promise<RetryOutcome> {
    const why = optionalText(reason, 'reason', 2000);
    return this.retry(actor, 'retryRecords', selection, RETRYABLE_BY_OPERATOR, dryRun, undefined, why);
  }

  retryRun(actor: Actor, runId: string): Promise<RetryOutcome> {
    return this.retry(actor, 'retryRun', { filter: { runIds: [runId] } }, RETRYABLE_BY_OPERATOR, false, runId);
  }

  replayDeadLetters(actor: Actor, selection: Selection): Promise<RetryOutcome> {
    return this.retry(actor, 'replayDeadLetters', selection, [RecordStatus.DEAD_LETTERED], false);
  }

  async discardDeadLetters(actor: Actor, selection: Selection): Promise<{ discarded: number }> {
    const done = new ChunkTally();
    const eligible = [RecordStatus.DEAD_LETTERED];
    const audit = (manager: EntityManager, tally: ChunkTally, more: Record<string, unknown> = {}) =>
      this.audit.writeTouched(
        manager,
        actor,
        'discardDeadLetters',
        targetOf(selection),
        { ...selection, discarded: tally.count, ...more },
        tally.touched,
      );
    let chunk = new ChunkTally();
    await this.auditedIfCut(done, audit, () =>
      inChunks(
        this.db,
        actor,
        selection,
        eligible,
        this.chunkSize,
        async (manager, selected, last) => {
          const rows: { id: string; run_id: string; pipeline_id: string; tenant_id: string | null }[] = await manager.query(
            discardSelectedSql(selected.sql),
            selected.params,
          );
          await appendEvents(manager, changedRecordEvents(rows));
          chunk = done.plus(rows);
          if (last) await audit(manager, chunk);
        },
        undefined,
        () => done.take(chunk),
      ),
    );
    return { discarded: done.count };
  }

  /**
   * Runs a chunked action. Should a chunk fail after others committed, what they did stays done (each chunk is its
   * own transaction), so it is audited as an interrupted action, in a transaction of its own, before the error goes on.
   */
  private async auditedIfCut(
    done: ChunkTally,
    audit: (manager: EntityManager, tally: ChunkTally, more: Record<string, unknown>) => Promise<void>,
    action: () => Promise<void>,
  ): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (done.count > 0) {
        await this.db.transaction((manager) => audit(manager, done, { interrupted: String(error) })).catch(() => {});
      }
      throw error;
    }
  }

  private async retry(
    actor: Actor,
    action: string,
    selection: Selection,
    eligible: RecordStatus[],
    dryRun: boolean,
    runId?: string,
    reason?: string | null,
  ): Promise<RetryOutcome> {
    if (dryRun) {
      return this.db.transaction(async (manager) => {
        if (runId) await requireVisibleRun(manager, actor, runId);
        const { sql, params } = await selectedRecords(manager, actor, selection);
        const [counts] = await manager.query(countEligibleSql(sql, params.length), [...params, eligible]);
        return { matched: counts.matched, scheduled: counts.scheduled, skipped: counts.matched - counts.scheduled, retryRun: null };
      });
    }
    // What the selection matches before anything changes (a read: no locks held).
    const [{ matched }] = await this.db.transaction(async (manager) => {
      if (runId) await requireVisibleRun(manager, actor, runId);
      const { sql, params } = await selectedRecords(manager, actor, selection);
      return manager.query(countSelectedSql(sql), params);
    });
    const runs: SyncRun[] = [];
    const done = new ChunkTally();
    const audit = (manager: EntityManager, tally: ChunkTally, more: Record<string, unknown> = {}) =>
      this.audit.writeTouched(
        manager,
        actor,
        action,
        targetOf(selection, runId),
        { ...selection, ...(reason ? { reason } : {}), matched, scheduled: tally.count, retryRuns: runs.map((r) => r.id), ...more },
        tally.touched,
      );
    let chunk = new ChunkTally();
    let chunkRuns: SyncRun[] = [];
    await this.auditedIfCut(done, audit, () =>
      inChunks(
        this.db,
        actor,
        selection,
        eligible,
        this.chunkSize,
        async (manager, selected, last) => {
          const taken: Taken[] = await manager.query(takeSelectedSql(selected.sql, selected.params.length), [...selected.params, eligible]);
          // Later chunks join the retry runs the first ones queued while they still wait: one run per pipeline.
          const rest = runs.length > 0 ? await joinQueuedRetryRuns(manager, taken, actor.name) : taken;
          chunkRuns = await queueRetryRuns(manager, rest, actor.name);
          await appendEvents(manager, changedRecordEvents(taken));
          chunk = done.plus(taken);
          if (last) await audit(manager, chunk, { retryRuns: [...runs, ...chunkRuns].map((r) => r.id) });
        },
        runId,
        () => {
          done.take(chunk);
          runs.push(...chunkRuns);
          chunkRuns = [];
        },
      ),
    );
    // As it stands after every chunk joined it.
    const retryRun = runs[0] ? await this.db.getRepository(SyncRun).findOneBy({ id: runs[0].id }) : null;
    return { matched, scheduled: done.count, skipped: matched - done.count, retryRun };
  }
}

/** What the committed chunks of a bulk action did: records changed, by tenant. */
class ChunkTally {
  count = 0;
  readonly touched = new Map<string | null, number>();

  /** This tally and a chunk's rows, as a new tally (the chunk may still roll back). */
  plus(rows: { tenant_id: string | null }[]): ChunkTally {
    const next = new ChunkTally();
    next.take(this);
    next.count += rows.length;
    for (const [tenant, n] of countByTenant(rows)) next.touched.set(tenant, (next.touched.get(tenant) ?? 0) + n);
    return next;
  }

  /** Becomes `other` (a chunk committed). */
  take(other: ChunkTally): void {
    this.count = other.count;
    this.touched.clear();
    for (const [tenant, n] of other.touched) this.touched.set(tenant, n);
  }
}

const targetOf = (selection: Selection, runId?: string) =>
  runId ? `run:${runId}` : selection.ids?.length ? `records:${selection.ids.length}` : 'records:filter';
