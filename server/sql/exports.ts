// Statements on export jobs (services/housekeeping/export.service.ts), and what an export selects (exportRowsSql),
// composed from its filter's prepared conditions by services/housekeeping/export-query.ts.

/** The newest record id now (text: a bigint), or '0': a records export holds no record inserted after it. */
export const MAX_RECORD_ID_SQL = 'SELECT coalesce(max(id), 0)::text AS max FROM records';

/**
 * A new export job: kind $1, filter $2 (JSON), row limit $3, tenant $4, max record id $5, asked by $6 with key $7,
 * its link valid for $8 seconds from the database's now(). Returns its id.
 */
export const INSERT_EXPORT_JOB_SQL = `
INSERT INTO export_jobs (kind, filter, row_limit, tenant_id, max_record_id, created_by, created_by_key_id, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8)) RETURNING id`;

/** What exportRowsSql reads. */
interface ExportRows {
  table: 'records' | 'runs';
  alias: string;
  /** The CSV columns as select expressions, reading the pipeline as `p`; null: each row as 1 (for counting). */
  columns: readonly string[] | null;
  /** The filter's prepared conditions and the export's bound, on `alias`. */
  conditions: readonly string[];
  /** ORDER BY terms, read only with columns. */
  order: readonly string[];
  limit: number | null;
}

/** The rows of an export: `SELECT … FROM <table> <alias> [LEFT JOIN pipelines p] WHERE … ORDER BY … LIMIT …`. */
export function exportRowsSql(rows: ExportRows): string {
  const { table, alias, columns, conditions, order, limit } = rows;
  return (
    `SELECT ${columns ? columns.join(', ') : '1'} FROM ${table} ${alias}` +
    (columns ? ` LEFT JOIN pipelines p ON p.id = ${alias}.pipeline_id` : '') +
    (conditions.length > 0 ? ` WHERE ${conditions.map((condition) => `(${condition})`).join(' AND ')}` : '') +
    (columns && order.length > 0 ? ` ORDER BY ${order.join(', ')}` : '') +
    (limit !== null ? ` LIMIT ${Math.trunc(limit)}` : '')
  );
}

/** How many rows the export's statement `sql` (composed by services/housekeeping/export-query.ts) selects. */
export const countExportRowsSql = (sql: string) => `SELECT count(*)::int AS n FROM (${sql}) export_rows`;

/** Export job $1 holds $2 rows: the count of the file being downloaded, taken in the snapshot it is read from. */
export const UPDATE_EXPORT_ROW_COUNT_SQL = 'UPDATE export_jobs SET row_count = $2 WHERE id = $1';

/**
 * Export job $1 if it may be downloaded now: in status $2 (READY), its link not expired, and the key that asked for it
 * not revoked (when a key asked for it). Returns its id, else no row.
 */
export const DOWNLOADABLE_EXPORT_SQL = `
SELECT j.id FROM export_jobs j
WHERE j.id = $1 AND j.status = $2 AND j.expires_at > now()
  AND (j.created_by_key_id IS NULL OR EXISTS (SELECT 1 FROM api_keys k WHERE k.id = j.created_by_key_id AND k.revoked_at IS NULL))`;

/** Deletes the export jobs whose link expired (TypeORM answers [rows, rowCount]). */
export const DELETE_EXPIRED_EXPORTS_SQL = 'DELETE FROM export_jobs WHERE expires_at <= now()';

/** Jobs in statuses $1 (still preparing) unchanged for $2 seconds: their counter stopped (its instance went away). */
export const STALE_EXPORTS_SQL = `
SELECT id FROM export_jobs WHERE status = ANY($1::export_status[]) AND updated_at < now() - make_interval(secs => $2)`;
