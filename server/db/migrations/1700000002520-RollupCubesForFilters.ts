import type { MigrationInterface, QueryRunner } from 'typeorm';
import { cubesFromFull } from '../../services/analytics/rollup-maintenance.js';

const NEW_CUBES = ['entity_status', 'mode_status', 'operation_status', 'dimensions', 'pipeline_shape'];

/**
 * More rollup cubes (domain/rollup-cubes.ts): `entity_status`, `mode_status` and `operation_status` (one filter and
 * the status), `dimensions` (entity type, operation, mode, status) and `pipeline_shape` (pipeline, tenant, entity
 * type, operation, mode), so a filter on what records are, or a pipeline's performance table, no longer reads the
 * full cube. Each is a sum of the full cube's rows, so they are made from them here, a day at a time; the deltas not
 * folded yet go into every cube with the next fold. Stop the old instances first: a fold by the old code after this
 * migration would leave the new cubes short.
 */
export class RollupCubesForFilters1700000002520 implements MigrationInterface {
  name = 'RollupCubesForFilters1700000002520';

  async up(queryRunner: QueryRunner): Promise<void> {
    await cubesFromFull(queryRunner.manager, NEW_CUBES);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM record_rollups WHERE cube = ANY($1)', [NEW_CUBES]);
  }
}
