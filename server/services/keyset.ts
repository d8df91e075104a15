// Keyset pagination over a TypeORM query: order by (sort key, id), continue after a cursor.
// Never OFFSET: a page deep in the list costs what the first one does.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
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
  const { entities, raw } = await query.getRawAndEntities();
  const edges = entities.slice(0, first).map((node, i) => ({
    node,
    cursor: encodeCursor({ field: sort.field, value: raw[i].sort_key, id: String(node.id) }),
  }));
  return {
    edges,
    hasNextPage: entities.length > first,
    endCursor: edges.at(-1)?.cursor ?? null,
    totalCount: () => countQuery.getCount(),
  };
}
