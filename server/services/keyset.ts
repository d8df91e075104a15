// Keyset pagination over a TypeORM query: order by (sort key, id), continue after a cursor.
// Never OFFSET: a page deep in the list costs what the first one does.
import type { EntityMetadata, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DriverUtils } from 'typeorm/driver/DriverUtils.js';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { checkCursorValue, checkPageSize, decodeCursor, encodeCursor } from '../domain/cursor.js';
import type { SortDirection } from '../domain/enums.js';
import { checkIds } from '../domain/ids.js';

export interface SortKey {
  /** Name of the sort field, kept in the cursor so a cursor of another order is refused. */
  field: string;
  /** SQL expression of the key, never null. */
  expression: string;
  /** SQL type to cast the cursor's value to. */
  type: 'timestamptz' | 'integer';
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
  endCursor: string | null;
  /** Counts every match; only called when a client selects totalCount. */
  totalCount: () => Promise<number>;
}

export async function keysetPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  sort: SortKey,
  direction: SortDirection,
  first: number,
  after: string | null | undefined,
  validId: (id: string) => boolean,
  /** Entity properties to read (the id always comes); undefined, or one that is not a column: all of them. */
  columns?: readonly string[],
): Promise<Page<T>> {
  checkPageSize(first);
  const countQuery = query.clone();
  const selected = columns && onlyColumns(query, alias, columns);
  if (selected) query.select(selected);
  const order = direction === 'ASC' ? 'ASC' : 'DESC';
  if (after) {
    const cursor = decodeCursor(after, sort.field);
    checkIds([cursor.id], validId, 'after');
    query.andWhere(`(${sort.expression}, ${alias}.id) ${order === 'ASC' ? '>' : '<'} (CAST(:afterValue AS ${sort.type}), :afterId)`, {
      afterValue: checkCursorValue(cursor.value, sort.type),
      afterId: cursor.id,
    });
  }
  query
    .addSelect(`${sort.expression}::text`, 'sort_key')
    .orderBy(sort.expression, order)
    .addOrderBy(`${alias}.id`, order)
    .limit(first + 1);
  const raw = await query.getRawMany();
  const entities = hydrate<T>(query, alias, raw.slice(0, first));
  const edges = entities.map((node, i) => ({
    node,
    cursor: encodeCursor({ field: sort.field, value: raw[i].sort_key, id: String(node.id) }),
  }));
  return {
    edges,
    hasNextPage: raw.length > first,
    endCursor: edges.at(-1)?.cursor ?? null,
    totalCount: () => countQuery.getCount(),
  };
}

/** `alias.property` for the id and each property, when every one is a column of the query's entity; else null. */
function onlyColumns<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, alias: string, properties: readonly string[]): string[] | null {
  const metadata = query.expressionMap.mainAlias?.metadata;
  if (!metadata) return null;
  const wanted = new Set([...metadata.primaryColumns.map((column) => column.propertyName), ...properties]);
  for (const property of wanted) {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column || column.isVirtual || column.embeddedMetadata) return null;
  }
  return [...wanted].map((property) => `${alias}.${property}`);
}

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

function rawColumnsOf(metadata: EntityMetadata, alias: string, driver: SelectQueryBuilder<ObjectLiteral>['connection']['driver']) {
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

/**
 * The rows of a one-table query (no joins) as entities, each value as TypeORM's getRawAndEntities makes it,
 * without its grouping of rows by primary key and its per-value conversion chain: those cost more than the
 * page's SQL (issue 13).
 */
function hydrate<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, alias: string, rows: Record<string, unknown>[]): T[] {
  const metadata = query.expressionMap.mainAlias?.metadata;
  if (!metadata || query.expressionMap.joinAttributes.length > 0) throw new Error('keysetPage reads one table');
  const driver = query.connection.driver;
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
