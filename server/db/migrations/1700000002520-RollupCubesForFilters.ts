import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * More rollup cubes (domain/rollup-cubes.ts): `entity_status`, `mode_status` and `operation_status` (one filter and
 * the status), `dimensions` (entity type, operation, mode, status) and `pipeline_shape` (pipeline, tenant, entity
 * type, operation, mode), so a filter on what records are, or a pipeline's performance table, no longer reads the
 * full cube. Each is a sum of the full cube's rows, so they are made from them here; the deltas not folded yet go into every cube with the next fold. The old leader must be stopped first:
 * a fold of the old code after this migration would leave the new cubes short.
 */
export class RollupCubesForFilters1700000002520 implements MigrationInterface {
  name = 'RollupCubesForFilters1700000002520';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      -- Histograms added up, as the fold adds them (hist_add is element by element, the longer kept).
      CREATE AGGREGATE hist_sum(integer[]) (SFUNC = hist_add, STYPE = integer[]);

      INSERT INTO record_rollups (tier, cube, bucket_start, entity_type, status, records, latency_hist)
      SELECT tier, 'entity_status', bucket_start, entity_type, status, sum(records), hist_sum(latency_hist)
      FROM record_rollups WHERE cube = 'full' GROUP BY tier, bucket_start, entity_type, status;

      INSERT INTO record_rollups (tier, cube, bucket_start, mode, status, records, latency_hist)
      SELECT tier, 'mode_status', bucket_start, mode, status, sum(records), hist_sum(latency_hist)
      FROM record_rollups WHERE cube = 'full' GROUP BY tier, bucket_start, mode, status;

      INSERT INTO record_rollups (tier, cube, bucket_start, operation, status, records, latency_hist)
      SELECT tier, 'operation_status', bucket_start, operation, status, sum(records), hist_sum(latency_hist)
      FROM record_rollups WHERE cube = 'full' GROUP BY tier, bucket_start, operation, status;

      INSERT INTO record_rollups (tier, cube, bucket_start, entity_type, operation, mode, status, records, latency_hist)
      SELECT tier, 'dimensions', bucket_start, entity_type, operation, mode, status, sum(records), hist_sum(latency_hist)
      FROM record_rollups WHERE cube = 'full'
      GROUP BY tier, bucket_start, entity_type, operation, mode, status;

      INSERT INTO record_rollups (tier, cube, bucket_start, pipeline_id, tenant_id, entity_type, operation, mode, records, latency_hist)
      SELECT tier, 'pipeline_shape', bucket_start, pipeline_id, tenant_id, entity_type, operation, mode, sum(records), hist_sum(latency_hist)
      FROM record_rollups WHERE cube = 'full'
      GROUP BY tier, bucket_start, pipeline_id, tenant_id, entity_type, operation, mode;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM record_rollups WHERE cube IN ('entity_status', 'mode_status', 'operation_status', 'dimensions', 'pipeline_shape');
      DROP AGGREGATE hist_sum(integer[]);
    `);
  }
}
