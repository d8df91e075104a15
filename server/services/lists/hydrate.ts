// Entities from raw rows (`"alias"."column" AS "alias_column"`, TypeORM's names), each value as TypeORM's
// getRawAndEntities makes it, without its grouping of rows by primary key and its per-value conversion chain: those
// cost more than the statements that read the rows (issue 13). For one-table statements: keyset pages and the
// per-request loaders' objects by id.
import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Driver } from 'typeorm/driver/Driver.js';
import { DriverUtils } from 'typeorm/driver/DriverUtils.js';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { entitiesByIdsSql } from '../../sql/lists.js';
import { listStatement, runListStatement } from './list-statements.js';

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

/**
 * The entities with these ids, in the order asked (null for an id with none): one statement, its text built once per
 * entity (not by the query builder on every request), hydrated as above.
 */
export async function entitiesByIds<T extends ObjectLiteral & { id: string }>(
  db: DataSource,
  entity: EntityTarget<T>,
  ids: readonly string[],
): Promise<(T | null)[]> {
  const metadata = db.getMetadata(entity);
  const statement = listStatement(`by ids|${metadata.tableName}`, () => {
    const [primary] = metadata.primaryColumns;
    return entitiesByIdsSql({
      columns: selectExpressions(db, metadata, 'e', undefined),
      table: metadata.tableName,
      alias: 'e',
      id: primary.databaseName,
      idType: String(primary.type),
    });
  });
  const rows = hydrate<T>(metadata, db.driver, 'e', await runListStatement(db, statement, [[...ids]]));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

/**
 * The select list of a page: `"alias"."column" AS "alias_column"` (the names TypeORM gives raw rows) for the id and
 * each property's columns, when every property is a column of the entity or an embedded object of columns; else for
 * every column TypeORM selects by default.
 */
export function selectExpressions(
  db: DataSource,
  metadata: EntityMetadata,
  alias: string,
  properties: readonly string[] | undefined,
): string[] {
  const wanted = properties && onlyColumns(metadata, properties);
  const columns = wanted ?? metadata.columns.filter((column) => column.isSelect);
  const quote = (name: string) => db.driver.escape(name);
  return columns
    .map(
      (column) =>
        `${quote(alias)}.${quote(column.databaseName)} AS ${quote(DriverUtils.buildAlias(db.driver, undefined, alias, column.databaseName))}`,
    )
    .sort();
}

/** The columns of the id and each property, when every one is a column of the entity or an embedded object's; else null. */
function onlyColumns(metadata: EntityMetadata, properties: readonly string[]): ColumnMetadata[] | null {
  const wanted = new Set([...metadata.primaryColumns.map((column) => column.propertyName), ...properties]);
  const selected = new Set<ColumnMetadata>();
  for (const property of wanted) {
    // An embedded object (a run's counts): every column of it.
    const embedded = metadata.embeddeds.find((candidate) => candidate.propertyName === property);
    if (embedded) {
      if (embedded.embeddeds.length > 0) return null;
      for (const column of embedded.columns) selected.add(column);
      continue;
    }
    const column = metadata.findColumnWithPropertyPath(property);
    if (!column || column.isVirtual || column.embeddedMetadata) return null;
    selected.add(column);
  }
  return [...selected];
}
