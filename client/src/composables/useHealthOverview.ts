// The overview's figures for the address's filters: the stat and status cards (syncSummary), pipeline health, and
// the trend chart with its allowed intervals. The reader's interval and chart bucket live in the address with the
// filters (a reload or a shared address shows the same). Read again, throttled, when a run changes status: live,
// no reload. Each part applies only the answer of its latest request (a live refresh may overtake a slow one).
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import { errorMessage } from '../graphql/errors';
import type { OverviewQuery, PipelineHealthQuery, RecordFilter, RunFilter, SyncTimeseriesQuery } from '../graphql/generated/graphql';
import {
  allowedIntervalsQuery,
  dayChartQuery,
  overviewQuery,
  pipelineHealthQuery,
  runFinishedSubscription,
  timeseriesQuery,
} from '../graphql/health-operations';
import { toRunFilter } from '../support/filters';
import { analyticsFilter, healthWindow, INTERVALS, type Interval, pickInterval, throttle, type Window } from '../support/health';
import { useApolloClient } from './useApolloClient';
import { useLiveSubscription } from './useLiveSubscription';
import { useOptionalQueryParam, useQueryParam, useRouteFilters } from './useRouteFilters';

export function useHealthOverview() {
  const client = useApolloClient();
  const { filters, filterKey } = useRouteFilters();
  const summary = shallowRef<OverviewQuery['syncSummary'] | null>(null);
  const health = shallowRef<PipelineHealthQuery['pipelines']>([]);
  const allowed = ref<Interval[]>(['DAY']);
  // The reader's interval and chart bucket live in the URL with the filters: a reload or a shared address shows the same.
  const intervalParam = useQueryParam('interval', 'AUTO', ['AUTO', ...INTERVALS] as const);
  const chosenInterval = computed<Interval | null>({
    get: () => (intervalParam.value === 'AUTO' ? null : intervalParam.value),
    set: (value) => {
      intervalParam.value = value ?? 'AUTO';
    },
  });
  const interval = computed(() => pickInterval(chosenInterval.value, allowed.value));
  const bucketParam = useOptionalQueryParam('bucket');
  const buckets = shallowRef<SyncTimeseriesQuery['syncTimeseries']>([]);
  const shownWindow = ref<Window | null>(null);
  const loading = ref(true);
  const chartLoading = ref(true);
  const failure = ref<string | null>(null);
  const refreshKey = ref(0);
  /** Each part applies only the answer of its latest request (a live refresh may overtake a slow one). */
  const latest = { summary: 0, health: 0, chart: 0 };

  async function loadChart(window: Window, filter: RecordFilter) {
    const mine = ++latest.chart;
    try {
      // No interval chosen: ask for the allowed ones and the DAY series together, and only ask again when the
      // window allows a finer one (the default 7 days does not).
      if (chosenInterval.value === null) {
        const { data } = await client.query({ query: dayChartQuery, variables: { filter, range: window } });
        if (mine !== latest.chart) return;
        allowed.value = data!.allowedIntervals as Interval[];
        if (interval.value === 'DAY') {
          buckets.value = data!.syncTimeseries;
          shownWindow.value = window;
          return;
        }
      } else {
        const intervals = await client.query({ query: allowedIntervalsQuery, variables: { range: window } });
        if (mine !== latest.chart) return;
        allowed.value = intervals.data!.allowedIntervals as Interval[];
      }
      const { data } = await client.query({ query: timeseriesQuery, variables: { filter, interval: interval.value, range: window } });
      if (mine !== latest.chart) return;
      buckets.value = data!.syncTimeseries;
      shownWindow.value = window;
    } catch (error) {
      if (mine === latest.chart) failure.value = errorMessage(error as Error);
    } finally {
      if (mine === latest.chart) chartLoading.value = false;
    }
  }

  async function loadSummary(window: Window, filter: RecordFilter) {
    const mine = ++latest.summary;
    try {
      const { data } = await client.query({ query: overviewQuery, variables: { filter, range: window } });
      if (mine !== latest.summary) return;
      summary.value = data!.syncSummary;
      failure.value = null;
    } catch (error) {
      if (mine === latest.summary) failure.value = errorMessage(error as Error);
    } finally {
      if (mine === latest.summary) loading.value = false;
    }
  }

  async function loadHealth() {
    const mine = ++latest.health;
    try {
      const { data } = await client.query({ query: pipelineHealthQuery });
      if (mine === latest.health) health.value = data!.pipelines;
    } catch {
      // The cards and the chart say what went wrong; health stays as it was.
    }
  }

  /** Reads the cards, the health and the chart for the filters' window as of now, side by side; settles with them. */
  function load(): Promise<unknown> {
    const window = healthWindow(filters.value, Date.now());
    const filter = analyticsFilter(filters.value, Date.now()) as RecordFilter;
    void loadHealth();
    return Promise.all([loadSummary(window, filter), loadChart(window, filter)]);
  }
  watch(filterKey, () => {
    bucketParam.drop();
    void load();
  });
  // The reader's choice only: a new window's allowed intervals are applied inside loadChart, before its series.
  watch(chosenInterval, () => {
    bucketParam.drop();
    void loadChart(healthWindow(filters.value, Date.now()), analyticsFilter(filters.value, Date.now()) as RecordFilter);
  });

  // Live: a run changing status (finishing, above all) changes the figures; read them again, at most every 5 s
  // (the summary is the dearest query of the page: a busy system would otherwise have every open overview ask it
  // several times a second).
  const refresh = throttle(() => {
    void load();
    refreshKey.value += 1;
  }, 5_000);
  onScopeDispose(() => refresh.cancel());
  useLiveSubscription(
    runFinishedSubscription,
    () => ({ filter: toRunFilter(filters.value, Date.now()) as RunFilter }),
    (data) => data.runUpdated.cursor,
    { next: (data) => data.runUpdated.previousStatus && refresh.call(), expired: () => refresh.call() },
  );

  // The cards and the chart first: a page asks for what is below them once this settles.
  const firstLoad = load();

  return {
    summary,
    health,
    allowed,
    chosenInterval,
    interval,
    bucketParam,
    buckets,
    shownWindow,
    loading,
    chartLoading,
    failure,
    refreshKey,
    firstLoad,
  };
}
