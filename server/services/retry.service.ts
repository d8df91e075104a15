// Retries and dead letters: automatic retries when due, operators' retries, replays and discards.
// Each creates QUEUED RETRY runs whose records are new attempts of the original records.
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import { RecordStatus, RunStatus, SyncMode, WorkerCommandType } from '../domain/enums.js';
import { errorFingerprint } from '../domain/error-text.js';
import { badInput, notFound } from '../domain/errors.js';
import { groupBy } from '../domain/group-by.js';
import { checkIdCount, echoIds, isSerialId, isUuid } from '../domain/ids.js';
import { emptyDelta, FAILURE_REPORT_STATUSES } from '../domain/record-outcome.js';
import { SyncRecord } from '../entities/SyncRecord.js';
import { SyncRun } from '../entities/SyncRun.js';
import { appendEvents, type EventInput } from '../events/event-log.js';
import { type AuditService, countByTenant } from './audit.service.js';
import { applyRecordFilter, asksForAttempts, type RecordFilter, visibleTo } from './filters.js';
import {
  CANCEL_UNREPORTED_SQL,
  FAIL_UNREPORTED_SQL,
  INSERT_RETRY_ATTEMPTS_SQL,
  JOIN_QUEUED_RETRY_RUN_SQL,
  TAKE_DUE_RETRIES_SQL,
} from './retry.sql.js';
import { followAttempts } from './retry-attempts.js';
import { applyCounts } from './run-counts.js';
import { commandEvent, recordsEvent, runEvent } from './run-events.js';
import type { RunProgress } from './run-progress.js';

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
const DUE_BATCH = 5_000;
/** triggeredBy of the retry runs the scheduler queues. */
const AUTOMATIC = 'syncwatch (automatic retry)';
/** Error code of an attempt its retry run ended without reporting. */
const NOT_REPORTED = 'NOT_REPORTED';

interface Selection {
  ids?: string[] | null;
  filter?: RecordFilter | null;
}

interface Taken {
  id: string;
  pipeline_id: string;
  run_id: string;
  tenant_id: string | null;
  entity_type: string;
  source_id: string;
}

/** Records one transaction of a bulk operator mutation by filter takes (see inChunks). */
export const BULK_CHUNK_SIZE = 5_000;

export class RetryService {
  /** Records per transaction of a bulk mutation by filter; tests lower it to see chunks on small data. */
  chunkSize = BULK_CHUNK_SIZE;

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly progress: RunProgress,
  ) {}

  /** The background job: gathers due retries into one QUEUED RETRY run per pipeline. */
  async queueDueRetries(): Promise<number> {
    let queued = 0;
    for (;;) {
      const count = await this.db.transaction(async (manager) => {
        const taken: Taken[] = await manager.query(TAKE_DUE_RETRIES_SQL, [DUE_BATCH]);
        const rest = await this.joinQueuedRetryRuns(manager, taken, AUTOMATIC);
        await this.queueRetryRuns(manager, rest, AUTOMATIC);
        await appendEvents(manager, changedRecordEvents(taken));
        return taken.length;
      });
      queued += count;
      if (count < DUE_BATCH) return queued;
    }
  }

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
    await this.inChunks(actor, selection, ['DEAD_LETTERED'] as RecordStatus[], async (manager, chunk, last) => {
      const rows: { id: string; run_id: string; pipeline_id: string; tenant_id: string | null }[] = await manager.query(
        `WITH discarded AS (
           UPDATE records SET status = 'DISCARDED', next_retry_at = NULL, updated_at = now()
           WHERE id IN (${chunk.sql}) AND status = 'DEAD_LETTERED'
           RETURNING id, run_id, pipeline_id, tenant_id
         ) SELECT * FROM discarded`,
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

  /**
   * Works through the records a selection matches in `eligible` statuses: ids (at most 1,000) in one transaction;
   * a filter in transactions of `chunkSize` records each, in id order, so a large selection never holds one long
   * transaction and its locks. `work` gets SQL selecting the chunk's ids, and whether it is the last chunk (the
   * place for the audit entry). A chunk's records are re-checked by `work` (a record may change between chunks).
   */
  private async inChunks(
    actor: Actor,
    selection: Selection,
    eligible: RecordStatus[],
    work: (manager: EntityManager, chunk: { sql: string; params: unknown[] }, last: boolean) => Promise<unknown>,
    runId?: string,
  ): Promise<void> {
    let after = '0';
    for (;;) {
      const done = await this.db.transaction(async (manager) => {
        if (runId) await this.visibleRun(manager, actor, runId);
        const { sql, params } = await this.matching(manager, actor, selection);
        if (!selection.filter) {
          await work(manager, { sql, params }, true);
          return true;
        }
        const n = params.length;
        const chunkSql = `SELECT c.id FROM records c WHERE c.id IN (${sql}) AND c.status = ANY($${n + 1}::record_status[]) AND c.id > $${n + 2}::bigint ORDER BY c.id LIMIT $${n + 3}`;
        const chunkParams = [...params, eligible, after, this.chunkSize];
        const ids: { id: string }[] = await manager.query(chunkSql, chunkParams);
        const last = ids.length < this.chunkSize;
        if (ids.length > 0) after = String(ids[ids.length - 1].id);
        await work(manager, { sql: `SELECT unnest($1::bigint[])`, params: [ids.map((row) => row.id)] }, last);
        return last;
      });
      if (done) return;
    }
  }

  /**
   * Called in the transaction that ends a RETRY run, before its status is set: the attempts it never reported
   * go back to their originals (cancelled run) or count as failed attempts (any other end). Returns the events.
   */
  async settleUnreported(manager: EntityManager, run: SyncRun, cancelled: boolean): Promise<EventInput[]> {
    if (run.mode !== SyncMode.RETRY) return [];
    if (cancelled) {
      const rows: { id: string }[] = await manager.query(CANCEL_UNREPORTED_SQL, [run.id]);
      if (rows.length === 0) return [];
      await applyCounts(manager, run.id, { ...emptyDelta(), pending: -rows.length, skipped: rows.length });
      return [
        recordsEvent(
          run,
          rows.map((row) => row.id),
        ),
      ];
    }
    const message = 'the retry run ended without a result for this record';
    const rows: { id: string; entity_type: string; source_id: string }[] = await manager.query(FAIL_UNREPORTED_SQL, [
      run.id,
      NOT_REPORTED,
      message,
      errorFingerprint(NOT_REPORTED, message),
    ]);
    if (rows.length === 0) return [];
    await applyCounts(manager, run.id, { ...emptyDelta(), pending: -rows.length, failed: rows.length });
    const attempts = rows.map((row) => ({ entityType: row.entity_type, sourceId: row.source_id }));
    return [
      recordsEvent(
        run,
        rows.map((row) => row.id),
      ),
      ...(await followAttempts(manager, this.progress, run.id, attempts)),
    ];
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
        if (runId) await this.visibleRun(manager, actor, runId);
        const { sql, params } = await this.matching(manager, actor, selection);
        const [counts] = await manager.query(
          `SELECT count(*)::int AS matched, count(*) FILTER (WHERE status = ANY($${params.length + 1}::record_status[]))::int AS scheduled
           FROM records WHERE id IN (${sql})`,
          [...params, eligible],
        );
        return { matched: counts.matched, scheduled: counts.scheduled, skipped: counts.matched - counts.scheduled, retryRun: null };
      });
    }
    // What the selection matches before anything changes (a read: no locks held).
    const [{ matched }] = await this.db.transaction(async (manager) => {
      if (runId) await this.visibleRun(manager, actor, runId);
      const { sql, params } = await this.matching(manager, actor, selection);
      return manager.query(`SELECT count(*)::int AS matched FROM records WHERE id IN (${sql})`, params);
    });
    const runs: SyncRun[] = [];
    const touched = new Map<string | null, number>();
    let scheduled = 0;
    await this.inChunks(
      actor,
      selection,
      eligible,
      async (manager, chunk, last) => {
        const taken: Taken[] = await manager.query(
          `WITH taken AS (
             UPDATE records SET status = 'RETRY_SCHEDULED', next_retry_at = NULL, updated_at = now()
             WHERE id IN (${chunk.sql}) AND status = ANY($${chunk.params.length + 1}::record_status[])
             RETURNING id, pipeline_id, run_id, tenant_id, entity_type, source_id
           ) SELECT * FROM taken`,
          [...chunk.params, eligible],
        );
        // Later chunks join the retry runs the first ones queued while they still wait: one run per pipeline.
        const rest = runs.length > 0 ? await this.joinQueuedRetryRuns(manager, taken, actor.name) : taken;
        runs.push(...(await this.queueRetryRuns(manager, rest, actor.name)));
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

  /**
   * Due retries join their pipeline's automatic retry run while it waits in the queue, so retries falling due a
   * moment apart still make one QUEUED RETRY run per pipeline. Returns the records that did not join.
   */
  private async joinQueuedRetryRuns(manager: EntityManager, taken: Taken[], triggeredBy: string): Promise<Taken[]> {
    const rest: Taken[] = [];
    const events: EventInput[] = [];
    for (const [pipelineId, rows] of groupBy(taken, (row) => row.pipeline_id)) {
      const [{ run_id: runId, joined }]: { run_id: string | null; joined: string[] }[] = await manager.query(JOIN_QUEUED_RETRY_RUN_SQL, [
        pipelineId,
        rows.map((r) => r.id),
        triggeredBy,
      ]);
      const inRun = new Set(joined);
      rest.push(...rows.filter((r) => !inRun.has(r.id)));
      if (runId) events.push(runEvent(await manager.findOneByOrFail(SyncRun, { id: runId }), 'progress', null));
    }
    await appendEvents(manager, events);
    return rest;
  }

  /**
   * One QUEUED RETRY run per pipeline for the taken records, announced to the pipeline's workers. A retry run's
   * records are keyed by entity type and source id, so an entity that failed in several runs gets one retry run each.
   */
  private async queueRetryRuns(manager: EntityManager, taken: Taken[], triggeredBy: string): Promise<SyncRun[]> {
    const batches: { pipelineId: string; rows: Taken[]; keys: Set<string> }[] = [];
    for (const row of taken) {
      const key = `${row.entity_type}\u0000${row.source_id}`;
      let batch = batches.find((b) => b.pipelineId === row.pipeline_id && !b.keys.has(key));
      if (!batch) {
        batch = { pipelineId: row.pipeline_id, rows: [], keys: new Set() };
        batches.push(batch);
      }
      batch.rows.push(row);
      batch.keys.add(key);
    }
    const runs: SyncRun[] = [];
    const events: EventInput[] = [];
    for (const { pipelineId, rows } of batches) {
      const originRuns = new Set(rows.map((r) => r.run_id));
      const run = manager.create(SyncRun, {
        pipelineId,
        tenantId: rows[0].tenant_id,
        mode: SyncMode.RETRY,
        status: RunStatus.QUEUED,
        triggeredBy,
        retryOfId: originRuns.size === 1 ? rows[0].run_id : null,
        expectedTotal: rows.length,
        counts: { total: rows.length, pending: rows.length, created: 0, updated: 0, deleted: 0, skipped: 0, succeeded: 0, failed: 0 },
      });
      await manager.save(run);
      await manager.query(INSERT_RETRY_ATTEMPTS_SQL, [run.id, rows.map((r) => r.id)]);
      const queued = await manager.findOneByOrFail(SyncRun, { id: run.id });
      runs.push(queued);
      events.push(runEvent(queued, 'created', null), commandEvent(queued, WorkerCommandType.RUN_QUEUED));
    }
    await appendEvents(manager, events);
    return runs;
  }

  /**
   * SQL selecting the ids of the original records matching ids and/or a filter, within what the actor sees:
   * a retry run's record stands for its original, which operators retry.
   */
  private async matching(manager: EntityManager, actor: Actor, selection: Selection): Promise<{ sql: string; params: unknown[] }> {
    const { ids, filter } = selection;
    if (ids == null && filter == null) throw badInput('give the records as ids or as a filter');
    checkIdCount(ids, 'ids');
    // An id of another shape names no record: NOT_FOUND, like an unknown one.
    const malformed = ids?.filter((id) => !isSerialId(id)) ?? [];
    if (malformed.length > 0) throw notFound('record', echoIds(malformed));
    const query = manager.getRepository(SyncRecord).createQueryBuilder('rec');
    visibleTo(query, 'rec', actor);
    applyRecordFilter(query, 'rec', { ...filter, ids: ids ?? filter?.ids });
    if (ids?.length && filter == null) {
      const existing = new Set((await query.clone().select('rec.id', 'id').getRawMany<{ id: string }>()).map((row) => String(row.id)));
      const missing = ids.filter((id) => !existing.has(id));
      if (missing.length > 0) throw notFound('record', echoIds(missing));
    }
    // Without attempts in the match every row is an original: its plain id keeps the index semi-join.
    const originalId = asksForAttempts({ ...filter, ids }) ? 'COALESCE(rec.origin_record_id, rec.id)' : 'rec.id';
    const [sql, params] = query.select(originalId).getQueryAndParameters();
    return { sql, params };
  }

  private async visibleRun(manager: EntityManager, actor: Actor, runId: string): Promise<void> {
    // An id of another shape names no run; a database error stays an error, never a NOT_FOUND.
    if (!isUuid(runId)) throw notFound('run', runId);
    const query = manager.getRepository(SyncRun).createQueryBuilder('r').where('r.id = :runId', { runId });
    visibleTo(query, 'r', actor);
    if (!(await query.getExists())) throw notFound('run', runId);
  }
}

function changedRecordEvents(rows: { id: string; run_id: string; pipeline_id: string; tenant_id: string | null }[]): EventInput[] {
  const events: EventInput[] = [];
  for (const [runId, list] of groupBy(rows, (row) => row.run_id)) {
    for (let i = 0; i < list.length; i += 5_000) {
      const chunk = list.slice(i, i + 5_000);
      events.push({
        kind: 'records',
        runId,
        pipelineId: chunk[0].pipeline_id,
        tenantId: chunk[0].tenant_id,
        payload: { recordIds: chunk.map((r) => r.id) },
      });
    }
  }
  return events;
}

function addCounts(into: Map<string | null, number>, counts: ReadonlyMap<string | null, number>): void {
  for (const [key, n] of counts) into.set(key, (into.get(key) ?? 0) + n);
}

const targetOf = (selection: Selection, runId?: string) =>
  runId ? `run:${runId}` : selection.ids?.length ? `records:${selection.ids.length}` : 'records:filter';
