// Entities from raw rows (`"alias"."column" AS "alias_column"`, TypeORM's names), each value as TypeORM's
// getRawAndEntities makes it, without its grouping of rows by primary key and its per-value conversion chain: those
// cost more than the statements that read the rows (issue 13). For one-table statements: keyset pages and the
// per-request loaders' objects by id.
import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Driver } from 'typeorm/driver/Driver.js';
import { DriverUtils } from 'typeorm/driver/DriverUtils.js';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/**
 * How a column's raw value becomes the entity's: as it is (pg already gave the type TypeORM keeps), as a Date
 * when it came as text, or through TypeORM's driver. Each rule is TypeORM's PostgresDriver.prepareHydratedValue.
 */
type Hydration = 'as-is' | 'date' | 'driver';
const DATE_TYPES = new Set(['datetime', 'timestamp', 'timestamptz', 'timestamp with time zone', 'timestamp without time zone']);
const CONVERTED_TYPES = new Set(['date', 'time', 'vector', 'halfvec', 'hstore', 'simple-array', 'simple-json', 'cube']);

function hydrationOf(column: ColumnMetadata): Hydration {
  if (column.embeddedMetadata || column.isVirtual || column.transformer || typeof column.type !== 'string') return 'driver';
  if (DATE_TYPES.has(column.type)) return 'date';
  if (CONVERTED_TYPES.has(column.type)) return 'driver';
  // An enum value that looks like a number becomes one only when the enum lists that number.
  if (column.type === 'enum' || column.type === 'simple-enum') {
    return column.isArray || (column.enum ?? []).some((value) => typeof value === 'number') ? 'driver' : 'as-is';
  }
  return 'as-is';
}

interface RawColumn {
  key: string;
  property: string;
  hydration: Hydration;
  column: ColumnMetadata;
}

/** Per entity and alias: each column with the key TypeORM gives it in a raw row. */
const rawColumns = new WeakMap<EntityMetadata, Map<string, RawColumn[]>>();

function rawColumnsOf(metadata: EntityMetadata, alias: string, driver: Driver) {
  let byAlias = rawColumns.get(metadata);
  if (!byAlias) {
    byAlias = new Map();
    rawColumns.set(metadata, byAlias);
  }
  let columns = byAlias.get(alias);
  if (!columns) {
    columns = metadata.columns
      .filter((column) => !column.isVirtual)
      .map((column) => ({
        key: DriverUtils.buildAlias(driver, undefined, alias, column.databaseName),
        property: column.propertyName,
        hydration: hydrationOf(column),
        column,
      }));
    byAlias.set(alias, columns);
  }
  return columns;
}

/** The rows of a one-table statement (no joins) as entities. */
export function hydrate<T extends ObjectLiteral>(
  metadata: EntityMetadata,
  driver: Driver,
  alias: string,
  rows: Record<string, unknown>[],
): T[] {
  const columns = rawColumnsOf(metadata, alias, driver);
  return rows.map((row) => {
    const entity = metadata.create(undefined, { fromDeserializer: true }) as Record<string, unknown>;
    for (const { key, property, hydration, column } of columns) {
      const value = row[key];
      if (value === undefined) continue;
      if (hydration === 'as-is' || (hydration === 'date' && (value === null || value instanceof Date))) entity[property] = value;
      else column.setEntityValue(entity, driver.prepareHydratedValue(value, column));
    }
    return entity as T;
  });
}

/** The entities with these ids, in the order asked (null for an id with none): one statement, hydrated as above. */
export async function entitiesByIds<T extends ObjectLiteral & { id: string }>(
  db: DataSource,
  entity: EntityTarget<T>,
  ids: readonly string[],
): Promise<(T | null)[]> {
  const query = db
    .getRepository(entity)
    .createQueryBuilder('e')
    .whereInIds([...ids]);
  const rows = hydrate<T>(db.getMetadata(entity), db.driver, 'e', await query.getRawMany());
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}
