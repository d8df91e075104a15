import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every sort and filter of the record lists from an index, so a page reads a few index pages, not every match:
 * - ENDED_AT and LATENCY orders (each with the id tie breaker of the keyset cursor) had none: each page sorted every
 *   matching record (600 ms for LATENCY with an entity type and a status on 1M records).
 * - LATENCY within a status, for the failures people sort by latency; like records_status_started, SUCCESS (most
 *   rows) is left out and walks records_latency instead.
 * - errorCode had none (a rare code walked the whole time index); failures only, so cheap to keep. By latency too:
 *   latency depends on the error (timeouts are slow), so walking a status by latency to find a fast error's records
 *   read 60,000 failures (130 ms) where the planner expected a few hundred.
 * - A tenant-bound key reads only its tenant: a small tenant walked everyone's history to fill a page.
 * - RETRY mode (a retry run's attempts): rare, so a small partial index rather than one on every mode.
 * - An error code implies a failure: without statistics saying so, the planner took "ROW_LOCKED and FAILED" for a
 *   tenth of ROW_LOCKED and intersected the error code's index with all 100,000 failures (23 ms) instead of reading it.
 * Entity type, operation and the other modes are a few values each: a page walks the time index and keeps about
 * one row in six to one in twenty, a bounded read; an index each would cost every ingest more than it saves.
 */
export class ListIndexes1700000001300 implements MigrationInterface {
  name = 'ListIndexes1700000001300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX records_ended ON records (ended_sort, id);
      CREATE INDEX records_latency ON records (latency_sort, id);
      CREATE INDEX records_status_latency ON records (status, latency_sort, id) WHERE status <> 'SUCCESS';
      CREATE INDEX records_error_code_started ON records (error_code, started_at, id) WHERE error_code IS NOT NULL;
      CREATE INDEX records_error_code_latency ON records (error_code, latency_sort, id) WHERE error_code IS NOT NULL;
      CREATE INDEX records_tenant_started ON records (tenant_id, started_at, id);
      CREATE INDEX records_retry_started ON records (started_at, id) WHERE mode = 'RETRY';
      CREATE STATISTICS records_status_error_code (dependencies) ON status, error_code FROM records;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP STATISTICS records_status_error_code;
      DROP INDEX records_ended, records_latency, records_status_latency, records_error_code_started, records_error_code_latency,
        records_tenant_started,
        records_retry_started;
    `);
  }
}
