// The shapes rollups are kept in. A record's full shape (pipeline, tenant, entity type, operation, mode, status,
// latency bucket) has too many combinations to add up quickly over weeks: 10 million records made millions of
// rows. So each hour and day is also kept in smaller cubes that drop what most questions do not ask, and a
// query reads the smallest cube holding every column it filters or groups by.

/** Columns of a record that rollups keep. */
export type RollupColumn = 'pipeline_id' | 'tenant_id' | 'entity_type' | 'operation' | 'mode' | 'status' | 'latency_bucket';

export const ROLLUP_COLUMNS: readonly RollupColumn[] = [
  'pipeline_id',
  'tenant_id',
  'entity_type',
  'operation',
  'mode',
  'status',
  'latency_bucket',
];

export interface Cube {
  name: string;
  columns: readonly RollupColumn[];
}

/** Smallest first; the last keeps every column and answers anything the others cannot. */
export const CUBES: readonly Cube[] = [
  // The cards and the chart with no filter: counts by status, the median.
  { name: 'status', columns: ['status', 'latency_bucket'] },
  // The same per pipeline or tenant (a tenant-bound key, a chosen instance).
  { name: 'pipeline', columns: ['pipeline_id', 'tenant_id', 'status', 'latency_bucket'] },
  // The performance table: percentiles per entity type, operation and mode.
  { name: 'shape', columns: ['entity_type', 'operation', 'mode', 'latency_bucket'] },
  { name: 'full', columns: ROLLUP_COLUMNS },
];

/** The smallest cube that has every needed column. */
export function cubeFor(needed: Iterable<RollupColumn>): Cube {
  const columns = [...needed];
  return CUBES.find((cube) => columns.every((column) => cube.columns.includes(column))) ?? CUBES[CUBES.length - 1];
}
