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

/** Each delta once per tier, in one cube's columns (the others null). */
const spreadInto = (name: string, columns: readonly RollupColumn[]) => `
  SELECT t.tier, '${name}' AS cube, t.start, ${ROLLUP_COLUMNS.map((c) => `${columns.includes(c) ? `m.${c}` : `NULL::${SQL_TYPE[c]}`} AS ${c}`).join(', ')},
         m.records, m.latency_hist
  FROM moved m CROSS JOIN LATERAL (VALUES ('hour', m.hour), ('day', date_bin('1 day', m.hour, timestamptz 'epoch'))) t(tier, start)`;

const KEY = `tier, cube, start, ${ALL}`;

/**
 * Moves every committed delta into every cube in one statement: a reader sees either the deltas or their sums.
 * Set-based: a key's count and histogram elements are summed as rows (position 0 the count, i the bucket i - 1),
 * then put back together as one array per key; the histograms of deltas are dense from 1, so theirs are too.
 */
const FOLD_SQL = `
WITH moved AS (
  DELETE FROM record_rollup_deltas RETURNING *
),
spread AS (${CUBES.map((cube) => spreadInto(cube.name, cube.columns)).join('\n  UNION ALL')}
),
elements AS (
  SELECT ${KEY}, 0::bigint AS i, records::bigint AS n FROM spread
  UNION ALL
  SELECT ${KEY}, h.i, h.n FROM spread CROSS JOIN LATERAL unnest(spread.latency_hist) WITH ORDINALITY AS h(n, i)
),
summed AS (
  SELECT ${KEY}, array_agg(n ORDER BY i) AS sums
  FROM (SELECT ${KEY}, i, sum(n) AS n FROM elements GROUP BY ${KEY}, i) per_element
  GROUP BY ${KEY}
),
folded AS (
  INSERT INTO record_rollups AS r (tier, cube, bucket_start, ${ALL}, records, latency_hist)
  SELECT ${KEY}, sums[1], CASE WHEN cardinality(sums) > 1 THEN sums[2:]::integer[] END FROM summed
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
