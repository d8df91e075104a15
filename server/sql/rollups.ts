// The leader's statements on rollups (services/rollup-maintenance.ts): deltas folded into every cube of
// record_rollups, and old rollups dropped. Reads of rollups are composed in services/rollup-query.ts.
import { ROLLUP_COLUMNS } from '../domain/rollup-cubes.js';

/** The deltas of one batch (at most $1 rows), gone from the table in the same transaction that adds them to the rollups. */
export const TAKE_DELTAS_SQL = `
WITH moved AS (
  DELETE FROM record_rollup_deltas WHERE ctid IN (SELECT ctid FROM record_rollup_deltas LIMIT $1)
  RETURNING hour, ${ROLLUP_COLUMNS.join(', ')}, records, coalesce(array_to_string(latency_hist, ','), '') AS hist
)
SELECT * FROM moved`;

/**
 * Adds sums ($1: a JSON array of {tier, cube, start_ms, the rollup columns, records, hist}) to their rollup rows.
 * hist_add only where a row exists already: a handful a second in steady state.
 */
export const UPSERT_ROLLUPS_SQL = `
INSERT INTO record_rollups AS r (tier, cube, bucket_start, ${ROLLUP_COLUMNS.join(', ')}, records, latency_hist)
SELECT tier, cube, to_timestamp(start_ms / 1000.0), ${ROLLUP_COLUMNS.join(', ')}, records, string_to_array(nullif(hist, ''), ',')::integer[]
FROM jsonb_to_recordset($1::jsonb) AS t(tier text, cube text, start_ms bigint, pipeline_id uuid, tenant_id text, entity_type text,
     operation record_operation, mode sync_mode, status record_status, records bigint, hist text)
ON CONFLICT ON CONSTRAINT record_rollups_key
DO UPDATE SET records = r.records + EXCLUDED.records, latency_hist = hist_add(r.latency_hist, EXCLUDED.latency_hist)`;

/** Deletes up to $2 rollup rows whose bucket started over $1 days ago (TypeORM answers [rows, rowCount]). */
export const PURGE_ROLLUPS_SQL = `
DELETE FROM record_rollups WHERE ctid IN (
  SELECT ctid FROM record_rollups WHERE bucket_start < now() - make_interval(days => $1) LIMIT $2)`;
