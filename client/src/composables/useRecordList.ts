// Records, keyset-paged and kept current by recordsUpdated with the same filter: every live list of records (sync
// logs, dead letters, the health views, a run's own records) is this one, so each follows the same rules
// (usePagedList: batched, bounded, new records behind the bar while the reader is away).
import { computed } from 'vue';
import type { RecordFilter, RecordRowFragment } from '../graphql/generated/graphql';
import { recordsQuery, recordsUpdatedSubscription } from '../graphql/operations';
import { type RecordFilterShape, toRecordFilter } from '../support/filters';
import { useApolloClient } from './useApolloClient';
import { useLiveSubscription } from './useLiveSubscription';
import { pageOf, usePagedList } from './usePagedList';
import { useRouteFilters } from './useRouteFilters';

export interface RecordListOptions {
  /** The records asked for, by the query and the subscription alike. */
  filter: () => RecordFilter;
  /** The list loads again when this changes. */
  key: () => unknown;
  /** Only this run's batches, its retry attempts included (a run's own page). */
  runId?: () => string;
  /** The reader is away from the list's top: new records wait behind its bar. */
  away?: () => boolean;
  /** The list asks the server only once this settles (a page's more important reads go first). */
  after?: Promise<unknown>;
  /** Told of every live batch (a view that reads its groups again, say). */
  onLive?: () => void;
  /** Records a page (and the live list's length); 50 unless the page offers a choice (sync logs). */
  pageSize?: number;
}

export function useRecordList(options: RecordListOptions) {
  const client = useApolloClient();
  const list = usePagedList<RecordRowFragment>(
    async (cursor, first) => {
      await options.after?.catch(() => {});
      const { data } = await client.query({ query: recordsQuery, variables: { filter: options.filter(), first, after: cursor } });
      return pageOf(data!.records);
    },
    options.key,
    options.pageSize,
    { sortKey: (record) => record.startedAt, away: options.away },
  );
  useLiveSubscription(
    recordsUpdatedSubscription,
    () => ({ runId: options.runId?.() ?? null, filter: options.filter() }),
    (data) => data.recordsUpdated.cursor,
    {
      next: (data) => {
        list.receive(data.recordsUpdated.records);
        options.onLive?.();
      },
      expired: () => void list.reload(),
    },
  );
  return { ...list, filter: computed(options.filter) };
}

/**
 * The records the address's filters select, narrowed by the page (`narrow`: dead letters only, a chart bucket, an
 * error group); the list loads again when the filters or `narrowKey` change.
 */
export function useFilteredRecords(
  options: Omit<RecordListOptions, 'filter' | 'key'> & {
    narrow?: (filter: RecordFilterShape) => RecordFilterShape;
    narrowKey?: () => unknown;
  },
) {
  const { filters, filterKey } = useRouteFilters();
  const narrow = options.narrow ?? ((filter: RecordFilterShape) => filter);
  return useRecordList({
    ...options,
    filter: () => narrow(toRecordFilter(filters.value, Date.now())) as RecordFilter,
    key: () => [filterKey.value, options.narrowKey?.()],
  });
}
