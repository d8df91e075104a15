import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RECORD_TABLES, RECORDS_STARTED_SINCE_FUNCTION } from '../../sql/record-partitions.js';

/**
 * The function that bounds the days a records list filtered by its start needs (sql/record-partitions.ts,
 * RECORDS_STARTED_SINCE_FUNCTION), so such lists read only the days that hold records started in their range. This
 * first version asked each day's `(started_at, id)` index whether a record in it started since, oldest day first; the
 * start marks replaced it (migration 2980).
 */
export class RecordsStartedSince1700000002940 implements MigrationInterface {
  name = 'RecordsStartedSince1700000002940';

  async up(q: QueryRunner): Promise<void> {
    await q.query(firstRecordsStartedSinceSql());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ${RECORDS_STARTED_SINCE_FUNCTION}(timestamptz)`);
  }
}

/** The function as this migration made it: the days' partitions probed in turn, the default partition's strays too. */
export function firstRecordsStartedSinceSql(): string {
  const records = RECORD_TABLES.records;
  return `
CREATE OR REPLACE FUNCTION ${RECORDS_STARTED_SINCE_FUNCTION}(since timestamptz) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  part record;
  stray timestamptz;
  hit boolean;
BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = '${records}'::regclass) <> 'p' THEN
    RETURN '-infinity';
  END IF;
  SELECT min(run_created_at) INTO stray FROM ${records}_default WHERE started_at >= since;
  -- The days, oldest first, by their partitions' names (${records}_pYYYYMMDD, a UTC day; a day's partition may
  -- start inside the day, where an older one ends: the day's start is then a lower bound still). A partition named
  -- otherwise is none of ours: no bound is known then.
  FOR part IN
    SELECT c.relname AS name,
           CASE WHEN c.relname ~ '^${records}_p[0-9]{8}$'
                THEN to_date(substr(c.relname, ${records.length + 3}), 'YYYYMMDD')::timestamp AT TIME ZONE 'UTC' END AS day
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = '${records}'::regclass AND c.relname <> '${records}_default'
    ORDER BY c.relname
  LOOP
    IF part.day IS NULL THEN
      RETURN '-infinity';
    END IF;
    EXIT WHEN stray IS NOT NULL AND part.day >= stray;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE started_at >= $1)', part.name) USING since INTO hit;
    IF hit THEN
      RETURN LEAST(part.day, stray);
    END IF;
  END LOOP;
  RETURN COALESCE(stray, 'infinity');
END
$fn$`;
}
