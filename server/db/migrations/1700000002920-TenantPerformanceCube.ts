import type { MigrationInterface, QueryRunner } from 'typeorm';
import { cubesFromFull } from '../../services/analytics/rollup-maintenance.js';

const NEW_CUBES = ['tenant_shape'];

/**
 * The rollup cube `tenant_shape` (tenant, entity type, operation, mode: domain/rollup-cubes.ts), so a tenant's
 * performance table no longer reads a row per pipeline of the tenant. A sum of the full cube's rows, made from them
 * here a day at a time; the deltas not folded yet go into it with the next fold. Stop the old instances first: a fold
 * by the old code after this migration would leave the new cube short.
 */
export class TenantPerformanceCube1700000002920 implements MigrationInterface {
  name = 'TenantPerformanceCube1700000002920';

  async up(queryRunner: QueryRunner): Promise<void> {
    await cubesFromFull(queryRunner.manager, NEW_CUBES);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM record_rollups WHERE cube = ANY($1)', [NEW_CUBES]);
  }
}
