// The shapes rollups are kept in. Every rollup row holds a record count and a latency histogram; the full
// combination of pipeline, tenant, entity type, operation, mode and status has thousands of rows an hour, too
// many to add up over weeks in milliseconds. So each hour and day is also kept in smaller cubes that drop what
// most questions do not ask, and a query reads the smallest cube holding every column it filters or groups by.

/** Columns of a record that rollups keep. */
export type RollupColumn = 'pipeline_id' | 'tenant_id' | 'entity_type' | 'operation' | 'mode' | 'status';

export const ROLLUP_COLUMNS: readonly RollupColumn[] = ['pipeline_id', 'tenant_id', 'entity_type', 'operation', 'mode', 'status'];

export interface Cube {
  name: string;
  columns: readonly RollupColumn[];
}

/** Smallest first; the last keeps every column, so some cube answers any question on these columns. */
export const CUBES: readonly Cube[] = [
  // The cards and the chart with no filter.
  { name: 'status', columns: ['status'] },
  // The same with one filter on what records are: a few dozen rows a bucket, where the larger cubes below hold
  // hundreds, each with a latency histogram to add up.
  { name: 'entity_status', columns: ['entity_type', 'status'] },
  { name: 'mode_status', columns: ['mode', 'status'] },
  { name: 'operation_status', columns: ['operation', 'status'] },
  // The same for a pipeline or tenant (a chosen instance, a tenant-bound key).
  { name: 'pipeline', columns: ['pipeline_id', 'tenant_id', 'status'] },
  // The performance table: per entity type, operation and mode.
  { name: 'shape', columns: ['entity_type', 'operation', 'mode'] },
  // Any filters on what records are (entity type, operation, mode, status) across pipelines: these read the full
  // cube before (the summary by entity type and status took 70 ms at 2M records, by mode a second under load).
  { name: 'dimensions', columns: ['entity_type', 'operation', 'mode', 'status'] },
  // A tenant's performance table, a tenant key's included: the cube by pipeline read a row per pipeline of the tenant
  // (twice as many rows as this one with the bench's four pipelines a tenant, and a tenant may have hundreds).
  { name: 'tenant_shape', columns: ['tenant_id', 'entity_type', 'operation', 'mode'] },
  // A pipeline's performance table: the full cube read six statuses a row.
  { name: 'pipeline_shape', columns: ['pipeline_id', 'tenant_id', 'entity_type', 'operation', 'mode'] },
  { name: 'full', columns: ROLLUP_COLUMNS },
];

/** The smallest cube that has every needed column. */
export function cubeFor(needed: Iterable<RollupColumn>): Cube {
  const columns = [...needed];
  return CUBES.find((cube) => columns.every((column) => cube.columns.includes(column))) ?? CUBES[CUBES.length - 1];
}
