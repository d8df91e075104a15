// Records across runs matching the URL's filters (plus a page's own fixed part), keyset-paged and kept current
// by recordsUpdated with the same filter.
import { computed } from 'vue';
import type { RecordFilter, RecordRowFragment } from '../graphql/generated/graphql';
import { recordsQuery, recordsUpdatedSubscription } from '../graphql/operations';
import { type RecordFilterShape, toRecordFilter } from '../support/filters';
import { upsertLive } from '../support/live-list';
import { useApolloClient } from './useApolloClient';
import { useLiveSubscription } from './useLiveSubscription';
import { usePagedList } from './usePagedList';
import { useRouteFilters } from './useRouteFilters';

export function useRecordList(fixed: (filter: RecordFilterShape) => RecordFilterShape = (f) => f) {
  const client = useApolloClient();
  const { filters, filterKey } = useRouteFilters();
  const filter = () => fixed(toRecordFilter(filters.value, Date.now())) as RecordFilter;
  const list = usePagedList<RecordRowFragment>(
    async (after, first) => {
      const { data } = await client.query({ query: recordsQuery, variables: { filter: filter(), first, after } });
      const page = data!.records;
      return { rows: page.edges.map((e) => e.node), hasNextPage: page.pageInfo.hasNextPage, endCursor: page.pageInfo.endCursor ?? null };
    },
    () => filterKey.value,
  );
  useLiveSubscription(
    recordsUpdatedSubscription,
    () => ({ filter: filter() }),
    (data) => data.recordsUpdated.cursor,
    {
      next: (data) =>
        list.change((rows) => data.recordsUpdated.records.reduce((next, record) => upsertLive(next, record, (r) => r.startedAt), rows)),
      expired: () => void list.reload(),
    },
  );
  return { ...list, filter: computed(filter) };
}
