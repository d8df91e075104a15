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
): Promise<Page<T>> {
  checkPageSize(first);
  const countQuery = query.clone();
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

/** Per entity and alias: each column with the key TypeORM gives it in a raw row. */
const rawKeys = new WeakMap<EntityMetadata, Map<string, [string, ColumnMetadata][]>>();

/**
 * The rows of a one-table query (no joins) as entities, each column hydrated by TypeORM's own driver as
 * getRawAndEntities does, without its grouping of rows by primary key, which cost more than the page's SQL (issue 13).
 */
function hydrate<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, alias: string, rows: Record<string, unknown>[]): T[] {
  const metadata = query.expressionMap.mainAlias?.metadata;
  if (!metadata || query.expressionMap.joinAttributes.length > 0) throw new Error('keysetPage reads one table');
  const driver = query.connection.driver;
  let byAlias = rawKeys.get(metadata);
  if (!byAlias) {
    byAlias = new Map();
    rawKeys.set(metadata, byAlias);
  }
  let columns = byAlias.get(alias);
  if (!columns) {
    columns = metadata.columns
      .filter((column) => !column.isVirtual)
      .map((column): [string, ColumnMetadata] => [DriverUtils.buildAlias(driver, undefined, alias, column.databaseName), column]);
    byAlias.set(alias, columns);
  }
  return rows.map((row) => {
    const entity = metadata.create(undefined, { fromDeserializer: true }) as T;
    for (const [key, column] of columns) {
      const value = row[key];
      if (value !== undefined) column.setEntityValue(entity, driver.prepareHydratedValue(value, column));
    }
    return entity;
  });
}
