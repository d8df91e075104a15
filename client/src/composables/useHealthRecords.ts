// Records for the health views' tables: the URL's filters plus the view's own narrowing (a chart bucket, failure
// statuses, an error group), keyset-paged, reloaded when either changes, and kept current by recordsUpdated.
// As useRecordList, with a key of its own for the narrowing (the console's list reloads on the URL's filters only).
import { computed } from 'vue';
import type { RecordFilter, RecordRowFragment } from '../graphql/generated/graphql';
import { recordsQuery, recordsUpdatedSubscription } from '../graphql/operations';
import { type RecordFilterShape, toRecordFilter } from '../support/filters';
import { upsertLive } from '../support/live-list';
import { useApolloClient } from './useApolloClient';
import { useLiveSubscription } from './useLiveSubscription';
import { usePagedList } from './usePagedList';
import { useRouteFilters } from './useRouteFilters';

/** `after`: the list asks the server only once this settles (a page's more important reads go first). */
export function useHealthRecords(
  narrow: (filter: RecordFilterShape) => RecordFilterShape,
  narrowKey: () => unknown,
  onLive?: () => void,
  after?: Promise<unknown>,
) {
  const client = useApolloClient();
  const { filters, filterKey } = useRouteFilters();
  const filter = () => narrow(toRecordFilter(filters.value, Date.now())) as RecordFilter;
  const list = usePagedList<RecordRowFragment>(
    async (cursor, first) => {
      await after?.catch(() => {});
      const { data } = await client.query({ query: recordsQuery, variables: { filter: filter(), first, after: cursor } });
      const page = data!.records;
      return { rows: page.edges.map((e) => e.node), hasNextPage: page.pageInfo.hasNextPage, endCursor: page.pageInfo.endCursor ?? null };
    },
    () => [filterKey.value, narrowKey()],
  );
  useLiveSubscription(
    recordsUpdatedSubscription,
    () => ({ filter: filter() }),
    (data) => data.recordsUpdated.cursor,
    {
      next: (data) => {
        list.change((rows) => data.recordsUpdated.records.reduce((next, record) => upsertLive(next, record, (r) => r.startedAt), rows));
        onLive?.();
      },
      expired: () => void list.reload(),
    },
  );
  return { ...list, filter: computed(filter) };
}
