// Records across runs matching the URL's filters (plus a page's own fixed part), keyset-paged and kept current
// by recordsUpdated with the same filter (applied in batches; new records behind a bar while the reader is `away`).
import { computed } from 'vue';
import type { RecordFilter, RecordRowFragment } from '../graphql/generated/graphql';
import { recordsQuery, recordsUpdatedSubscription } from '../graphql/operations';
import { type RecordFilterShape, toRecordFilter } from '../support/filters';
import { useApolloClient } from './useApolloClient';
import { useLiveSubscription } from './useLiveSubscription';
import { pageOf, usePagedList } from './usePagedList';
import { useRouteFilters } from './useRouteFilters';

export function useRecordList(fixed: (filter: RecordFilterShape) => RecordFilterShape = (f) => f, away?: () => boolean) {
  const client = useApolloClient();
  const { filters, filterKey } = useRouteFilters();
  const filter = () => fixed(toRecordFilter(filters.value, Date.now())) as RecordFilter;
  const list = usePagedList<RecordRowFragment>(
    async (after, first) => {
      const { data } = await client.query({ query: recordsQuery, variables: { filter: filter(), first, after } });
      return pageOf(data!.records);
    },
    () => filterKey.value,
    undefined,
    { sortKey: (record) => record.startedAt, away },
  );
  useLiveSubscription(
    recordsUpdatedSubscription,
    () => ({ filter: filter() }),
    (data) => data.recordsUpdated.cursor,
    {
      next: (data) => list.receive(data.recordsUpdated.records),
      expired: () => void list.reload(),
    },
  );
  return { ...list, filter: computed(filter) };
}
