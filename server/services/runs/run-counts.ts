import type { EntityManager } from 'typeorm';
import type { RecordOperation, RecordStatus } from '../../domain/enums.js';
import { applyToCounts, emptyDelta, type RunCountDelta } from '../../domain/record-outcome.js';
import { APPLY_COUNTS_SQL } from '../../sql/runs.js';

export interface RecordChange {
  run_id: string;
  status: RecordStatus;
  operation: RecordOperation;
  prev_status: RecordStatus | null;
  prev_operation: RecordOperation | null;
}

/** Count deltas per run of a set of record changes (a new record has no previous status). */
export function deltasByRun(changes: RecordChange[]): Map<string, RunCountDelta> {
  const deltas = new Map<string, RunCountDelta>();
  for (const change of changes) {
    const delta = deltas.get(change.run_id) ?? emptyDelta();
    if (change.prev_status && change.prev_operation) {
      applyToCounts(delta, { status: change.prev_status, operation: change.prev_operation }, -1);
    }
    applyToCounts(delta, change, 1);
    deltas.set(change.run_id, delta);
  }
  return deltas;
}

/** Changes of one run's records that share their status and operation before and after: `records` of them. */
export interface RecordChangeGroup extends Omit<RecordChange, 'run_id'> {
  records: number;
}

/** The count delta of groups of like changes: each group moves the counts as far as one change, `records` times over. */
export function deltaOfGroups(groups: RecordChangeGroup[]): RunCountDelta {
  const total = emptyDelta();
  for (const group of groups) {
    const one = emptyDelta();
    if (group.prev_status && group.prev_operation) {
      applyToCounts(one, { status: group.prev_status, operation: group.prev_operation }, -1);
    }
    applyToCounts(one, group, 1);
    for (const key of Object.keys(total) as (keyof RunCountDelta)[]) total[key] += one[key] * group.records;
  }
  return total;
}

/** Adds a delta to a run's counts; renews its lease too when leaseSeconds is given. */
export async function applyCounts(
  manager: EntityManager,
  runId: string,
  d: RunCountDelta,
  leaseSeconds: number | null = null,
): Promise<void> {
  await manager.query(APPLY_COUNTS_SQL, [
    runId,
    d.total,
    d.created,
    d.updated,
    d.deleted,
    d.skipped,
    d.succeeded,
    d.failed,
    d.pending,
    leaseSeconds,
  ]);
}
