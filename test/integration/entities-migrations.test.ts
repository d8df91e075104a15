// TypeORM entities and the migrations are two descriptions of one schema, and nothing else checks that they
// agree: compare every entity column with the migrated database (type, nullability, default, enum labels).
import type { DataSource, QueryRunner } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDataSource } from '../../server/db/data-source.js';
import { createTestDatabase } from '../support/database.js';

let db: DataSource;

beforeAll(async () => {
  db = await openDataSource(await createTestDatabase('drift'), 2);
});
afterAll(() => db?.destroy());

interface DbColumn {
  table: string;
  column: string;
  type: string;
  not_null: boolean;
  has_default: boolean;
  primary: boolean;
}

/** Every difference between the entities and the database the query runner sees, one line each. */
async function drift(runner: QueryRunner): Promise<string[]> {
  const rows: DbColumn[] = await runner.query(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS has_default,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY(i.indkey)) AS primary
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  const labels: { name: string; labels: string[] }[] = await runner.query(
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
  );
  const enums = new Map(labels.map((e) => [e.name, e.labels]));
  const problems: string[] = [];
  for (const entity of db.entityMetadatas) {
    const table = entity.tableName;
    const columns = new Map(rows.filter((r) => r.table === table).map((r) => [r.column, r]));
    if (columns.size === 0) {
      problems.push(`${entity.name}: table ${table} does not exist`);
      continue;
    }
    const mapped = new Set<string>();
    for (const column of entity.columns) {
      const name = column.databaseName;
      const where = `${entity.name}.${column.propertyName} (${table}.${name})`;
      mapped.add(name);
      const actual = columns.get(name);
      if (!actual) {
        problems.push(`${where}: no such column`);
        continue;
      }
      const type = (column.type === 'enum' ? column.enumName : db.driver.normalizeType(column)) + (column.isArray ? '[]' : '');
      if (actual.type !== type) problems.push(`${where}: entity says ${type}, database has ${actual.type}`);
      if (actual.not_null === column.isNullable) {
        problems.push(`${where}: entity says ${column.isNullable ? 'nullable' : 'NOT NULL'}, database has the other`);
      }
      if ((column.default !== undefined || column.isGenerated) && !actual.has_default) {
        problems.push(`${where}: entity expects a default, database has none`);
      }
      if (actual.primary !== column.isPrimary) problems.push(`${where}: primary key in one and not in the other`);
      if (column.type === 'enum') {
        const expected = (column.enum ?? []).map(String);
        const found = enums.get(column.enumName ?? '') ?? [];
        if ([...expected].sort().join() !== [...found].sort().join()) {
          problems.push(`${where}: enum ${column.enumName} is [${expected}] in the entity, [${found}] in the database`);
        }
      }
    }
    // A required column the entity does not know makes every insert through the entity fail.
    for (const actual of columns.values()) {
      if (!mapped.has(actual.column) && actual.not_null && !actual.has_default) {
        problems.push(`${entity.name}: ${table}.${actual.column} is NOT NULL without a default and not in the entity`);
      }
    }
  }
  return problems;
}

it('the migrated database is what the entities describe', async () => {
  const runner = db.createQueryRunner();
  try {
    expect(await drift(runner)).toEqual([]);
  } finally {
    await runner.release();
  }
});

it('finds a drift (the check above can fail)', async () => {
  const runner = db.createQueryRunner();
  await runner.startTransaction();
  try {
    // DDL is transactional in PostgreSQL: drift inside a transaction that is rolled back.
    await runner.query(`ALTER TABLE runs ALTER COLUMN correlation_id SET NOT NULL, ALTER COLUMN count_total TYPE bigint,
                        ADD COLUMN shard integer NOT NULL`);
    await runner.query(`ALTER TABLE records DROP COLUMN error_fingerprint CASCADE`);
    await runner.query(`ALTER TYPE run_status ADD VALUE 'PAUSED'`);
    expect((await drift(runner)).sort()).toEqual(
      [
        'SyncRun.correlationId (runs.correlation_id): entity says nullable, database has the other',
        'SyncRun.total (runs.count_total): entity says integer, database has bigint',
        'SyncRun.status (runs.status): enum run_status is [QUEUED,RUNNING,CANCELLING,SUCCEEDED,COMPLETED_WITH_ERRORS,FAILED,CANCELLED,ROLLED_BACK] in the entity, [QUEUED,RUNNING,CANCELLING,SUCCEEDED,COMPLETED_WITH_ERRORS,FAILED,CANCELLED,ROLLED_BACK,PAUSED] in the database',
        'SyncRun: runs.shard is NOT NULL without a default and not in the entity',
        'SyncRecord.errorFingerprint (records.error_fingerprint): no such column',
      ].sort(),
    );
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
});
