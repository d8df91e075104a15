// The leader's side of the error-group counts (migration 2960): folds the deltas the record triggers append into
// `error_group_counts`. Only one instance runs it (jobs/scheduler.ts), so the counts have one writer.
import type { DataSource, EntityManager } from 'typeorm';
import { FAILED_RECORD_STATUSES } from '../../domain/record-outcome.js';
import { FIX_CELLS_SQL, FOLD_ERROR_GROUP_DELTAS_SQL } from '../../sql/error-group-counts.js';
import { foldInBatches } from './rollup-maintenance.js';

/** Deltas folded per transaction: short transactions, whatever the backlog. */
const FOLD_BATCH = 10_000;

interface Folded {
  deltas: number;
  hours: Date[];
  run_ids: string[];
  fingerprints: string[];
}

export class ErrorGroupCounts {
  constructor(private readonly db: DataSource) {}

  /** Moves every committed delta into the counts, a batch per transaction. Returns how many deltas it moved. */
  fold(): Promise<number> {
    return foldInBatches(this.db, FOLD_BATCH, (manager) => this.foldBatch(manager));
  }

  private async foldBatch(manager: EntityManager): Promise<number> {
    const [folded]: Folded[] = await manager.query(FOLD_ERROR_GROUP_DELTAS_SQL, [FOLD_BATCH]);
    if (folded.hours.length > 0)
      await manager.query(FIX_CELLS_SQL, [folded.hours, folded.run_ids, folded.fingerprints, FAILED_RECORD_STATUSES]);
    return folded.deltas;
  }
}
