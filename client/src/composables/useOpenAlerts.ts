// The alerts open now (FIRING or ACKNOWLEDGED) that the key sees, kept current by alertChanged: one list and one
// subscription per frame (provideOpenAlerts in AppFrame), read by the header's badge, the alerts page and the
// pipelines' open alerts.
import { computed, type InjectionKey, inject, provide, ref } from 'vue';
import { alertChangedSubscription, alertsQuery } from '../graphql/alert-operations';
import type { AlertRowFragment } from '../graphql/generated/graphql';
import { useApolloClient } from './useApolloClient';
import { useLiveSubscription } from './useLiveSubscription';

export type OpenAlert = AlertRowFragment;

const OPEN = ['FIRING', 'ACKNOWLEDGED'] as const;

function createOpenAlerts() {
  const client = useApolloClient();
  const byId = ref(new Map<string, OpenAlert>());
  const error = ref<string | null>(null);

  async function reload(): Promise<void> {
    try {
      const { data } = await client.query({
        query: alertsQuery,
        variables: { states: [...OPEN], first: 500 },
        fetchPolicy: 'network-only',
      });
      byId.value = new Map((data?.alerts.edges ?? []).map((edge) => [edge.node.id, edge.node as OpenAlert]));
      error.value = null;
    } catch (failure) {
      error.value = (failure as Error).message;
    }
  }

  const live = useLiveSubscription(
    alertChangedSubscription,
    () => ({}),
    (data) => data.alertChanged.cursor,
    {
      next(data) {
        const alert = data.alertChanged.alert as OpenAlert;
        const next = new Map(byId.value);
        if (alert.state === 'RESOLVED') next.delete(alert.id);
        else next.set(alert.id, alert);
        byId.value = next;
      },
      expired: () => void reload(),
    },
  );
  void reload();

  const alerts = computed(() => [...byId.value.values()].sort((a, b) => b.firedAt.localeCompare(a.firedAt)));
  const firing = computed(() => alerts.value.filter((a) => a.state === 'FIRING'));
  const worst = computed(() => (alerts.value.some((a) => a.severity === 'CRITICAL') ? 'CRITICAL' : alerts.value.length ? 'WARNING' : null));
  return { alerts, firing, worst, error, liveError: live.error, reload };
}

export type OpenAlerts = ReturnType<typeof createOpenAlerts>;
const OPEN_ALERTS: InjectionKey<OpenAlerts> = Symbol('open alerts');

/** Starts the frame's list of open alerts and hands it to every component under it. */
export function provideOpenAlerts(): OpenAlerts {
  const state = createOpenAlerts();
  provide(OPEN_ALERTS, state);
  return state;
}

/** The frame's list of open alerts (a list of its own outside a frame). */
export function useOpenAlerts(): OpenAlerts {
  return inject(OPEN_ALERTS, null) ?? createOpenAlerts();
}

/** Open alerts by pipeline id, for the pipelines' views. */
export function openAlertsByPipeline(alerts: readonly OpenAlert[]): Map<string, OpenAlert[]> {
  const byPipeline = new Map<string, OpenAlert[]>();
  for (const alert of alerts) {
    if (!alert.pipeline) continue;
    const list = byPipeline.get(alert.pipeline.id) ?? [];
    list.push(alert);
    byPipeline.set(alert.pipeline.id, list);
  }
  return byPipeline;
}
