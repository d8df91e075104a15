import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Health analytics read rollups, not records: per UTC hour and day, record counts and a latency histogram for
 * each combination of pipeline, tenant, entity type, operation, mode and status. Triggers on `records` keep
 * them exact on every path that writes a record (ingest, retries, re-reports, late reports, operators' actions),
 * with no second copy of those rules:
 *
 * - each statement appends its net change to `record_rollup_deltas` (insert only: concurrent ingest never
 *   waits on a hot rollup row, and cannot deadlock on one);
 * - the leader folds the deltas into `record_rollups` every second, in a few cubes (domain/rollup-cubes.ts);
 * - readers add the deltas not folded yet, in the same snapshot, so a count is exact the moment a report commits.
 *
 * A histogram is an integer array: element i + 1 counts the records of latency bucket i. Keeping it in the row
 * (rather than a row per bucket) keeps a rollup row per combination, not per combination and latency.
 *
 * Deleting records (retention) leaves the rollups alone: they outlive the raw history (ROLLUP_RETENTION_DAYS).
 * Each record counts once, by its original (a retry run's rows are attempts of originals, which carry the result).
 * The same triggers keep the small facet table (the entity types, operation types and error codes that occur)
 * and each run's entity types.
 */
export class Rollups1700000000600 implements MigrationInterface {
  name = 'Rollups1700000000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Latency histogram buckets: exact below 64 ms, then 16 a doubling (each within 2.2 % of its values),
      -- so percentiles read from buckets stay within 5 % of exact ones.
      CREATE FUNCTION latency_bucket(ms integer) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN ms IS NULL OR ms < 0 THEN NULL
                    WHEN ms < 64 THEN ms
                    ELSE 64 + floor(16 * ln(ms / 64.0::float8) / ln(2))::integer END::smallint
      $$;
      -- The value a bucket stands for: its own value when exact, else the geometric middle of the integers in it.
      CREATE FUNCTION latency_bucket_value(bucket integer) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN bucket < 64 THEN bucket::double precision
                    ELSE sqrt(ceil(64 * 2 ^ ((bucket - 64) / 16.0::float8)) * (ceil(64 * 2 ^ ((bucket - 63) / 16.0::float8)) - 1)) END
      $$;

      -- Histograms: dense, 1-based integer arrays (element i + 1 counts bucket i), as long as their last bucket.
      -- Built once per combination from its buckets and counts (an aggregate with a PL/pgSQL step copied the array
      -- at every row: 70 µs each); added up by the fold (services/analytics/rollup-maintenance.ts), with hist_add where it
      -- meets an existing row.
      CREATE FUNCTION hist_of(buckets integer[], counts bigint[]) RETURNS integer[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      DECLARE
        hist integer[];
        top integer := (SELECT max(b) FROM unnest(buckets) b);
      BEGIN
        IF top IS NULL THEN RETURN NULL; END IF;
        hist := array_fill(0, ARRAY[top + 1]);
        FOR i IN 1 .. cardinality(buckets) LOOP
          IF buckets[i] IS NOT NULL THEN hist[buckets[i] + 1] := hist[buckets[i] + 1] + counts[i]; END IF;
        END LOOP;
        RETURN hist;
      END $$;
      CREATE FUNCTION hist_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      DECLARE
        longer integer[];
        shorter integer[];
      BEGIN
        IF a IS NULL THEN RETURN b; END IF;
        IF b IS NULL THEN RETURN a; END IF;
        IF cardinality(a) >= cardinality(b) THEN longer := a; shorter := b; ELSE longer := b; shorter := a; END IF;
        FOR i IN 1 .. cardinality(shorter) LOOP
          longer[i] := longer[i] + shorter[i];
        END LOOP;
        RETURN longer;
      END $$;

      CREATE TABLE record_rollup_deltas (
        hour timestamptz NOT NULL,
        pipeline_id uuid NOT NULL,
        tenant_id text,
        entity_type text NOT NULL,
        operation record_operation NOT NULL,
        mode sync_mode NOT NULL,
        status record_status NOT NULL,
        records integer NOT NULL,
        latency_hist integer[]
      );
      -- Emptied every second: vacuum it as soon as a fold leaves dead rows, or readers wade through them.
      ALTER TABLE record_rollup_deltas SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
                                            autovacuum_vacuum_cost_delay = 0);

      -- Sums per UTC hour and day (tier), in several cubes: each keeps some columns and leaves the others null
      -- (domain/rollup-cubes.ts says which).
      CREATE TABLE record_rollups (
        tier text NOT NULL CHECK (tier IN ('hour', 'day')),
        cube text NOT NULL,
        bucket_start timestamptz NOT NULL,
        pipeline_id uuid,
        tenant_id text,
        entity_type text,
        operation record_operation,
        mode sync_mode,
        status record_status,
        records bigint NOT NULL,
        latency_hist integer[],
        CONSTRAINT record_rollups_key UNIQUE NULLS NOT DISTINCT
          (tier, cube, bucket_start, pipeline_id, tenant_id, entity_type, operation, mode, status)
      );
      CREATE INDEX record_rollups_pipeline ON record_rollups (tier, cube, pipeline_id, bucket_start) WHERE pipeline_id IS NOT NULL;
      CREATE INDEX record_rollups_tenant ON record_rollups (tier, cube, tenant_id, bucket_start) WHERE tenant_id IS NOT NULL;

      -- What occurs, for filter drop-downs: a few rows a pipeline.
      CREATE TABLE facet_values (
        kind text NOT NULL CHECK (kind IN ('entity_type', 'operation_type', 'error_code')),
        pipeline_id uuid NOT NULL,
        tenant_id text,
        value text NOT NULL,
        CONSTRAINT facet_values_key UNIQUE NULLS NOT DISTINCT (kind, pipeline_id, tenant_id, value)
      );

      ALTER TABLE runs ADD COLUMN entity_types text[] NOT NULL DEFAULT '{}';
      CREATE INDEX runs_entity_types ON runs USING gin (entity_types);

      CREATE FUNCTION records_rollup_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO record_rollup_deltas (hour, pipeline_id, tenant_id, entity_type, operation, mode, status, records, latency_hist)
        SELECT hour, pipeline_id, tenant_id, entity_type, operation, mode, status, sum(n), hist_of(array_agg(bucket), array_agg(n))
        FROM (
          SELECT date_bin('1 hour', started_at, timestamptz 'epoch') AS hour, pipeline_id, tenant_id, entity_type, operation,
                 mode, status, latency_bucket(latency_ms)::integer AS bucket, count(*) AS n
          FROM new_records WHERE origin_record_id IS NULL
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        ) per_bucket
        GROUP BY 1, 2, 3, 4, 5, 6, 7;

        UPDATE runs r SET entity_types = ARRAY(SELECT DISTINCT unnest(r.entity_types || n.types) ORDER BY 1)
        FROM (SELECT run_id, array_agg(DISTINCT entity_type) AS types FROM new_records GROUP BY run_id) n
        WHERE r.id = n.run_id AND NOT r.entity_types @> n.types;

        INSERT INTO facet_values (kind, pipeline_id, tenant_id, value)
        SELECT DISTINCT 'entity_type', pipeline_id, tenant_id, entity_type FROM new_records
        UNION SELECT DISTINCT 'error_code', pipeline_id, tenant_id, error_code FROM new_records WHERE error_code IS NOT NULL
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$;

      CREATE FUNCTION records_rollup_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Old rows count negative, new rows positive; what did not move nets out. A row counts when it was an
        -- original before the change: an attempt whose original is purged (origin_record_id set null by the
        -- foreign key) must not start counting as a record of its own.
        INSERT INTO record_rollup_deltas (hour, pipeline_id, tenant_id, entity_type, operation, mode, status, records, latency_hist)
        SELECT hour, pipeline_id, tenant_id, entity_type, operation, mode, status, sum(n), hist_of(array_agg(bucket), array_agg(n))
        FROM (
          SELECT hour, pipeline_id, tenant_id, entity_type, operation, mode, status, bucket, sum(sign)::bigint AS n
          FROM (
            SELECT date_bin('1 hour', n.started_at, timestamptz 'epoch') AS hour, n.pipeline_id, n.tenant_id, n.entity_type,
                   n.operation, n.mode, n.status, latency_bucket(n.latency_ms)::integer AS bucket, 1 AS sign
            FROM new_records n JOIN old_records o USING (id) WHERE o.origin_record_id IS NULL
            UNION ALL
            SELECT date_bin('1 hour', started_at, timestamptz 'epoch'), pipeline_id, tenant_id, entity_type, operation,
                   mode, status, latency_bucket(latency_ms), -1
            FROM old_records WHERE origin_record_id IS NULL
          ) change
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
          HAVING sum(sign) <> 0
        ) per_bucket
        GROUP BY 1, 2, 3, 4, 5, 6, 7;

        INSERT INTO facet_values (kind, pipeline_id, tenant_id, value)
        SELECT DISTINCT 'error_code', pipeline_id, tenant_id, error_code FROM new_records WHERE error_code IS NOT NULL
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$;

      CREATE FUNCTION runs_facets_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO facet_values (kind, pipeline_id, tenant_id, value)
        SELECT DISTINCT 'operation_type', pipeline_id, tenant_id, operation_type FROM new_runs WHERE operation_type IS NOT NULL
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$;

      CREATE TRIGGER records_rollup_insert AFTER INSERT ON records
        REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION records_rollup_on_insert();
      CREATE TRIGGER records_rollup_update AFTER UPDATE ON records
        REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION records_rollup_on_update();
      CREATE TRIGGER runs_facets_insert AFTER INSERT ON runs
        REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION runs_facets_on_insert();

      -- What is already there.
      INSERT INTO record_rollup_deltas (hour, pipeline_id, tenant_id, entity_type, operation, mode, status, records, latency_hist)
      SELECT hour, pipeline_id, tenant_id, entity_type, operation, mode, status, sum(n), hist_of(array_agg(bucket), array_agg(n))
      FROM (
        SELECT date_bin('1 hour', started_at, timestamptz 'epoch') AS hour, pipeline_id, tenant_id, entity_type, operation,
               mode, status, latency_bucket(latency_ms)::integer AS bucket, count(*) AS n
        FROM records WHERE origin_record_id IS NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
      ) per_bucket
      GROUP BY 1, 2, 3, 4, 5, 6, 7;
      UPDATE runs r SET entity_types = n.types
      FROM (SELECT run_id, array_agg(DISTINCT entity_type ORDER BY entity_type) AS types FROM records GROUP BY run_id) n
      WHERE r.id = n.run_id;
      INSERT INTO facet_values (kind, pipeline_id, tenant_id, value)
      SELECT DISTINCT 'entity_type', pipeline_id, tenant_id, entity_type FROM records
      UNION SELECT DISTINCT 'error_code', pipeline_id, tenant_id, error_code FROM records WHERE error_code IS NOT NULL
      UNION SELECT DISTINCT 'operation_type', pipeline_id, tenant_id, operation_type FROM runs WHERE operation_type IS NOT NULL
      ON CONFLICT DO NOTHING;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER records_rollup_insert ON records;
      DROP TRIGGER records_rollup_update ON records;
      DROP TRIGGER runs_facets_insert ON runs;
      DROP FUNCTION records_rollup_on_insert, records_rollup_on_update, runs_facets_on_insert;
      ALTER TABLE runs DROP COLUMN entity_types;
      DROP TABLE facet_values, record_rollups, record_rollup_deltas;
      DROP FUNCTION hist_of, hist_add, latency_bucket, latency_bucket_value;
    `);
  }
}
