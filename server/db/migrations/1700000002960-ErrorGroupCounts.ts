import type { MigrationInterface, QueryRunner } from 'typeorm';
import { FAILED_RECORD_STATUSES } from '../../domain/record-outcome.js';
import { sqlList } from '../../sql/literals.js';
import { errorGroupTriggersSql, RECORD_TABLES } from '../../sql/record-partitions.js';

/**
 * Error groups counted as they happen, not from every failure of the window at each read (at 10M records a week's
 * groups added up ~230,000 failures: 140–225 ms). Per UTC hour, run and fingerprint: how many of the run's original
 * records failed with it, and the first and last start among them. As with the analytics rollups (migration 0600):
 *
 * - statement triggers on `records` append each statement's net change to `error_group_deltas` (insert only, so
 *   concurrent reports never wait on a shared row);
 * - the leader folds them into `error_group_counts` (services/analytics/error-group-counts.ts);
 * - readers add the deltas not folded yet, in the same snapshot, so a count is exact the moment a report commits.
 *
 * Unlike the analytics rollups, these go with their runs (the foreign key): a purged run's failures leave its groups.
 * A delta says whether it took failures away (`removed`): the fold then reads the cell's first and last start again
 * from the records, which a least/greatest of the failures added alone cannot give back.
 */
export class ErrorGroupCounts1700000002960 implements MigrationInterface {
  name = 'ErrorGroupCounts1700000002960';

  async up(q: QueryRunner): Promise<void> {
    // Spelled into the functions: the statuses that count as a failure (domain/record-outcome.ts) when this ran.
    const failed = `ARRAY[${sqlList(FAILED_RECORD_STATUSES)}]::record_status[]`;
    const counted = (row: string) =>
      `${row}origin_record_id IS NULL AND ${row}error_fingerprint IS NOT NULL AND ${row}status = ANY(${failed})`;
    await q.query(`
      CREATE TABLE error_group_deltas (
        hour timestamptz NOT NULL,
        run_id uuid NOT NULL,
        error_fingerprint text NOT NULL,
        pipeline_id uuid NOT NULL,
        tenant_id text,
        failures integer NOT NULL,
        -- Of the failures added (null when none was).
        first_seen timestamptz,
        last_seen timestamptz,
        removed boolean NOT NULL
      );
      ALTER TABLE error_group_deltas SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
                                          autovacuum_vacuum_cost_delay = 0);

      CREATE TABLE error_group_counts (
        hour timestamptz NOT NULL,
        run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        error_fingerprint text NOT NULL,
        pipeline_id uuid NOT NULL,
        tenant_id text,
        -- Below zero only for a moment: a fold may take a failure's removal before its addition.
        failures integer NOT NULL,
        first_seen timestamptz,
        last_seen timestamptz,
        PRIMARY KEY (hour, run_id, error_fingerprint)
      );
      CREATE INDEX error_group_counts_run ON error_group_counts (run_id);
      CREATE INDEX error_group_counts_pipeline ON error_group_counts (pipeline_id, hour);
      CREATE INDEX error_group_counts_fingerprint ON error_group_counts (error_fingerprint, hour);

      CREATE FUNCTION records_error_groups_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO error_group_deltas (hour, run_id, error_fingerprint, pipeline_id, tenant_id, failures, first_seen, last_seen, removed)
        SELECT date_bin('1 hour', started_at, timestamptz 'epoch'), run_id, error_fingerprint, pipeline_id, tenant_id,
               count(*), min(started_at), max(started_at), false
        FROM new_records WHERE ${counted('')}
        GROUP BY 1, 2, 3, 4, 5;
        RETURN NULL;
      END $$;

      CREATE FUNCTION records_error_groups_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Old rows count negative, new rows positive, per start time, so a failure that did not move nets out
        -- (FAILED becoming RETRY_SCHEDULED is still the same failure). Each side counts by its own row, as the records
        -- are read: a retry's failed attempt whose original is purged (origin_record_id cleared) counts from then on.
        INSERT INTO error_group_deltas (hour, run_id, error_fingerprint, pipeline_id, tenant_id, failures, first_seen, last_seen, removed)
        SELECT date_bin('1 hour', started_at, timestamptz 'epoch'), run_id, error_fingerprint, pipeline_id, tenant_id, sum(n),
               min(started_at) FILTER (WHERE n > 0), max(started_at) FILTER (WHERE n > 0), bool_or(n < 0)
        FROM (
          SELECT run_id, error_fingerprint, pipeline_id, tenant_id, started_at, sum(sign) AS n
          FROM (
            SELECT run_id, error_fingerprint, pipeline_id, tenant_id, started_at, 1 AS sign FROM new_records WHERE ${counted('')}
            UNION ALL
            SELECT run_id, error_fingerprint, pipeline_id, tenant_id, started_at, -1 FROM old_records WHERE ${counted('')}
          ) change
          GROUP BY 1, 2, 3, 4, 5
          HAVING sum(sign) <> 0
        ) moved
        GROUP BY 1, 2, 3, 4, 5;
        RETURN NULL;
      END $$;
    `);
    for (const statement of errorGroupTriggersSql(RECORD_TABLES.records)) await q.query(statement);

    // What is already there (only runs that exist: records of a purged run may linger in an unswapped old table).
    await q.query(`
      INSERT INTO error_group_counts (hour, run_id, error_fingerprint, pipeline_id, tenant_id, failures, first_seen, last_seen)
      SELECT date_bin('1 hour', rec.started_at, timestamptz 'epoch'), rec.run_id, rec.error_fingerprint, rec.pipeline_id, rec.tenant_id,
             count(*), min(rec.started_at), max(rec.started_at)
      FROM ${RECORD_TABLES.records} rec
      WHERE ${counted('rec.')} AND EXISTS (SELECT 1 FROM runs u WHERE u.id = rec.run_id)
      GROUP BY 1, 2, 3, 4, 5`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER IF EXISTS records_error_groups_insert ON ${RECORD_TABLES.records};
      DROP TRIGGER IF EXISTS records_error_groups_update ON ${RECORD_TABLES.records};
      DROP FUNCTION records_error_groups_on_insert(), records_error_groups_on_update();
      DROP TABLE error_group_counts, error_group_deltas;
    `);
  }
}
