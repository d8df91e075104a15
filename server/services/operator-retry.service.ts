// Operators' retries, replays and discards: a selection of failed records (ids or a filter) becomes new attempts
// in QUEUED RETRY runs, or dead letters are closed. Large selections go in chunks; each action is audited once.
import type { DataSource } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import { RecordStatus } from '../domain/enums.js';
import { FAILURE_REPORT_STATUSES } from '../domain/record-outcome.js';
import { SyncRun } from '../entities/SyncRun.js';
import { appendEvents } from '../events/event-log.js';
import { countEligibleSql, countSelectedSql, discardSelectedSql, takeSelectedSql } from '../sql/retries.js';
import { type AuditService, countByTenant } from './audit.service.js';
import { BULK_CHUNK_SIZE, inChunks, requireVisibleRun, type Selection, selectedRecords } from './record-selection.js';
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

  retryRecords(actor: Actor, selection: Selection, dryRun: boolean): Promise<RetryOutcome> {
    return this.retry(actor, 'retryRecords', selection, RETRYABLE_BY_OPERATOR, dryRun);
  }

  retryRun(actor: Actor, runId: string): Promise<RetryOutcome> {
    return this.retry(actor, 'retryRun', { filter: { runIds: [runId] } }, RETRYABLE_BY_OPERATOR, false, runId);
  }

  replayDeadLetters(actor: Actor, selection: Selection): Promise<RetryOutcome> {
    return this.retry(actor, 'replayDeadLetters', selection, [RecordStatus.DEAD_LETTERED], false);
  }

  async discardDeadLetters(actor: Actor, selection: Selection): Promise<{ discarded: number }> {
    let discarded = 0;
    const touched = new Map<string | null, number>();
    const eligible = [RecordStatus.DEAD_LETTERED];
    await inChunks(this.db, actor, selection, eligible, this.chunkSize, async (manager, chunk, last) => {
      const rows: { id: string; run_id: string; pipeline_id: string; tenant_id: string | null }[] = await manager.query(
        discardSelectedSql(chunk.sql),
        chunk.params,
      );
      await appendEvents(manager, changedRecordEvents(rows));
      discarded += rows.length;
      addCounts(touched, countByTenant(rows));
      if (last) {
        await this.audit.writeTouched(manager, actor, 'discardDeadLetters', targetOf(selection), { ...selection, discarded }, touched);
      }
      return rows.length;
    });
    return { discarded };
  }

  private async retry(
    actor: Actor,
    action: string,
    selection: Selection,
    eligible: RecordStatus[],
    dryRun: boolean,
    runId?: string,
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
    const touched = new Map<string | null, number>();
    let scheduled = 0;
    await inChunks(
      this.db,
      actor,
      selection,
      eligible,
      this.chunkSize,
      async (manager, chunk, last) => {
        const taken: Taken[] = await manager.query(takeSelectedSql(chunk.sql, chunk.params.length), [...chunk.params, eligible]);
        // Later chunks join the retry runs the first ones queued while they still wait: one run per pipeline.
        const rest = runs.length > 0 ? await joinQueuedRetryRuns(manager, taken, actor.name) : taken;
        runs.push(...(await queueRetryRuns(manager, rest, actor.name)));
        await appendEvents(manager, changedRecordEvents(taken));
        scheduled += taken.length;
        addCounts(touched, countByTenant(taken));
        if (last) {
          await this.audit.writeTouched(
            manager,
            actor,
            action,
            targetOf(selection, runId),
            { ...selection, matched, scheduled, retryRuns: runs.map((r) => r.id) },
            touched,
          );
        }
        return taken.length;
      },
      runId,
    );
    // As it stands after every chunk joined it.
    const retryRun = runs[0] ? await this.db.getRepository(SyncRun).findOneBy({ id: runs[0].id }) : null;
    return { matched, scheduled, skipped: matched - scheduled, retryRun };
  }
}

function addCounts(into: Map<string | null, number>, counts: ReadonlyMap<string | null, number>): void {
  for (const [key, n] of counts) into.set(key, (into.get(key) ?? 0) + n);
}

const targetOf = (selection: Selection, runId?: string) =>
  runId ? `run:${runId}` : selection.ids?.length ? `records:${selection.ids.length}` : 'records:filter';
