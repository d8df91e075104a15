// The leader's side of the rollups: folds the deltas that ingest appends into every cube of `record_rollups`,
// per hour and per day, and drops rollups older than ROLLUP_RETENTION_DAYS. Only one instance runs these
// (jobs/scheduler.ts), so the rollup table has one writer and never a lock queue.
import type { DataSource } from 'typeorm';
import { CUBES, ROLLUP_COLUMNS, type RollupColumn } from './rollup-cubes.js';

const SQL_TYPE: Record<RollupColumn, string> = {
  pipeline_id: 'uuid',
  tenant_id: 'text',
  entity_type: 'text',
  operation: 'record_operation',
  mode: 'sync_mode',
  status: 'record_status',
};

const ALL = ROLLUP_COLUMNS.join(', ');

/** One cube's rows from the deltas, for both tiers; the columns it drops are null. */
const cubeSelect = (name: string, columns: readonly RollupColumn[]) => `
  SELECT t.tier, '${name}', t.start, ${ROLLUP_COLUMNS.map((c) => (columns.includes(c) ? `m.${c}` : `NULL::${SQL_TYPE[c]}`)).join(', ')},
         sum(m.records), hist_sum(m.latency_hist)
  FROM moved m CROSS JOIN LATERAL (VALUES ('hour', m.hour), ('day', date_bin('1 day', m.hour, timestamptz 'epoch'))) t(tier, start)
  GROUP BY ${[1, 2, 3, ...ROLLUP_COLUMNS.map((_, i) => i + 4)].join(', ')}`;

/**
 * Moves every committed delta into every cube in one statement: a reader sees either the deltas or their sums.
 * Each cube's rows are summed first (ON CONFLICT cannot touch a row twice in one statement).
 */
const FOLD_SQL = `
WITH moved AS (
  DELETE FROM record_rollup_deltas RETURNING *
),
folded AS (
  INSERT INTO record_rollups AS r (tier, cube, bucket_start, ${ALL}, records, latency_hist)
  ${CUBES.map((cube) => cubeSelect(cube.name, cube.columns)).join('\n  UNION ALL')}
  ON CONFLICT ON CONSTRAINT record_rollups_key
  DO UPDATE SET records = r.records + EXCLUDED.records, latency_hist = hist_add(r.latency_hist, EXCLUDED.latency_hist)
)
SELECT count(*)::integer AS folded FROM moved`;

const PURGE_BATCH = 10_000;

export class RollupMaintenance {
  constructor(private readonly db: DataSource) {}

  /** Folds pending deltas; returns how many delta rows it moved. */
  async fold(): Promise<number> {
    const [{ folded }] = await this.db.query(FOLD_SQL);
    return folded;
  }

  /** Deletes rollups older than `days`, in small batches that never hold a lock for long. */
  async purgeOlderThan(days: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const result: [unknown[], number] = await this.db.query(
        `DELETE FROM record_rollups WHERE ctid IN (
           SELECT ctid FROM record_rollups WHERE bucket_start < now() - make_interval(days => $1) LIMIT ${PURGE_BATCH})`,
        [days],
      );
      deleted += result[1];
      if (result[1] < PURGE_BATCH) return deleted;
    }
  }
}
