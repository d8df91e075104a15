// Choices offered by the filter bar's drop-downs: the pipelines the key sees, and the entity types, operation types,
// tenants and error codes that occur (the `facets` query, of the chosen pipelines when some are), read once per
// session and pipeline choice and shared by every filter bar.
import { type ComputedRef, computed, type Ref, ref, watch } from 'vue';
import type { FacetsQuery } from '../graphql/generated/graphql';
import { facetsQuery } from '../graphql/health-operations';
import { type Session, useSession } from './useApolloClient';
import { usePipelines } from './usePipelines';
import { useRouteFilters } from './useRouteFilters';

export interface Option {
  label: string;
  value: string;
}

export interface FilterOptions {
  pipelines: ComputedRef<Option[]>;
  /** Values that occur per field (facets); a value not listed can still be typed. */
  entityTypes: ComputedRef<Option[]>;
  operationTypes: ComputedRef<Option[]>;
  tenantIds: ComputedRef<Option[]>;
  errorCodes: ComputedRef<Option[]>;
}

type Facets = FacetsQuery['facets'];
const stores = new WeakMap<Session, { key: string | null; facets: Ref<Facets | null> }>();

export function useFilterOptions(): FilterOptions {
  const session = useSession();
  const { pipelines } = usePipelines();
  const { filters } = useRouteFilters();
  let store = stores.get(session);
  if (!store) {
    store = { key: null, facets: ref<Facets | null>(null) };
    stores.set(session, store);
  }
  const own = store;
  // The entity types of the chosen pipelines (seed 003: the object list depends on the instance).
  watch(
    () => JSON.stringify([...filters.value.pipelineIds].sort()),
    (key) => {
      if (own.key === key) return;
      own.key = key;
      const pipelineIds = JSON.parse(key) as string[];
      session.client
        .query({ query: facetsQuery, variables: { pipelineIds: pipelineIds.length ? pipelineIds : null } })
        .then(({ data }) => {
          if (own.key === key && data) own.facets.value = data.facets;
        })
        .catch(() => {
          // Without facets the drop-downs still take typed values.
        });
    },
    { immediate: true },
  );
  const options = (pick: (f: Facets) => string[]) =>
    computed(() => (own.facets.value ? pick(own.facets.value) : []).map((v) => ({ label: v, value: v })));
  return {
    pipelines: computed(() => pipelines.value.map((p) => ({ label: p.name, value: p.id }))),
    entityTypes: options((f) => f.entityTypes),
    operationTypes: options((f) => f.operationTypes),
    errorCodes: options((f) => f.errorCodes),
    tenantIds: options((f) => f.tenantIds),
  };
}
