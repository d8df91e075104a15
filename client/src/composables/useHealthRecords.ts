// Records for the health views' tables: the URL's filters plus the view's own narrowing (a chart bucket, failure
// statuses, an error group), keyset-paged, reloaded when either changes, and kept current by recordsUpdated.
// As useRecordList, with a key of its own for the narrowing (the console's list reloads on the URL's filters only).
import { computed } from 'vue';
import type { RecordFilter, RecordRowFragment } from '../graphql/generated/graphql';
import { recordsQuery, recordsUpdatedSubscription } from '../graphql/operations';
import { type RecordFilterShape, toRecordFilter } from '../support/filters';
import { useApolloClient } from './useApolloClient';
import { useLiveSubscription } from './useLiveSubscription';
import { pageOf, usePagedList } from './usePagedList';
import { useRouteFilters } from './useRouteFilters';

/**
 * `after`: the list asks the server only once this settles (a page's more important reads go first); `away`: the
 * reader is away from the list's top (new records wait behind its bar).
 */
export function useHealthRecords(
  narrow: (filter: RecordFilterShape) => RecordFilterShape,
  narrowKey: () => unknown,
  onLive?: () => void,
  after?: Promise<unknown>,
  away?: () => boolean,
) {
  const client = useApolloClient();
  const { filters, filterKey } = useRouteFilters();
  const filter = () => narrow(toRecordFilter(filters.value, Date.now())) as RecordFilter;
  const list = usePagedList<RecordRowFragment>(
    async (cursor, first) => {
      await after?.catch(() => {});
      const { data } = await client.query({ query: recordsQuery, variables: { filter: filter(), first, after: cursor } });
      return pageOf(data!.records);
    },
    () => [filterKey.value, narrowKey()],
    undefined,
    { sortKey: (record) => record.startedAt, away },
  );
  useLiveSubscription(
    recordsUpdatedSubscription,
    () => ({ filter: filter() }),
    (data) => data.recordsUpdated.cursor,
    {
      next: (data) => {
        list.receive(data.recordsUpdated.records);
        onLive?.();
      },
      expired: () => void list.reload(),
    },
  );
  return { ...list, filter: computed(filter) };
}
