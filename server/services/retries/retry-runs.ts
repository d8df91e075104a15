// Queueing records for retry: taken records become attempts in QUEUED RETRY runs, one run per pipeline, announced
// to the pipeline's workers. Shared by the automatic retry job and operators' retries.
import type { EntityManager } from 'typeorm';
import { RunStatus, SyncMode, WorkerCommandType } from '../../domain/enums.js';
import { groupBy } from '../../domain/group-by.js';
import { SyncRun } from '../../entities/SyncRun.js';
import { appendEvents, type EventInput } from '../../events/event-log.js';
import { INSERT_RETRY_ATTEMPTS_SQL, JOIN_QUEUED_RETRY_RUN_SQL } from '../../sql/retries.js';
import { commandEvent, runEvent } from '../runs/run-events.js';

/** A record taken for a retry (the columns the taking statements return). */
export interface Taken {
  id: string;
  pipeline_id: string;
  run_id: string;
  tenant_id: string | null;
  entity_type: string;
  source_id: string;
}

/** The runs taken records are of: their days are where the records are read. */
const originRunsOf = (rows: Taken[]) => [...new Set(rows.map((row) => row.run_id))];

/**
 * Taken records join their pipeline's retry run by the same trigger while it waits in the queue, so retries falling
 * due a moment apart still make one QUEUED RETRY run per pipeline. Returns the records that did not join.
 */
export async function joinQueuedRetryRuns(manager: EntityManager, taken: Taken[], triggeredBy: string): Promise<Taken[]> {
  const rest: Taken[] = [];
  const events: EventInput[] = [];
  for (const [pipelineId, rows] of groupBy(taken, (row) => row.pipeline_id)) {
    const [{ run_id: runId, joined }]: { run_id: string | null; joined: string[] }[] = await manager.query(JOIN_QUEUED_RETRY_RUN_SQL, [
      pipelineId,
      rows.map((r) => r.id),
      triggeredBy,
      originRunsOf(rows),
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
export async function queueRetryRuns(manager: EntityManager, taken: Taken[], triggeredBy: string): Promise<SyncRun[]> {
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
    await manager.query(INSERT_RETRY_ATTEMPTS_SQL, [run.id, rows.map((r) => r.id), originRunsOf(rows)]);
    const queued = await manager.findOneByOrFail(SyncRun, { id: run.id });
    runs.push(queued);
    events.push(runEvent(queued, 'created', null), commandEvent(queued, WorkerCommandType.RUN_QUEUED));
  }
  await appendEvents(manager, events);
  return runs;
}

/** `records` events for records whose status changed, per run, 5,000 ids an event at most. */
export function changedRecordEvents(rows: { id: string; run_id: string; pipeline_id: string; tenant_id: string | null }[]): EventInput[] {
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
