// Statements on pipelines that their entity's repository does not answer.

/** The tenant of pipeline $1 (a purge's CLEANUP run takes it). */
export const PIPELINE_TENANT_SQL = 'SELECT tenant_id FROM pipelines WHERE id = $1';

/** Whether pipeline $1 has any run: one with history may not move to another tenant. */
export const PIPELINE_HAS_RUNS_SQL = 'SELECT EXISTS (SELECT 1 FROM runs WHERE pipeline_id = $1) AS exists';
