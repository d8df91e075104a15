// Choices offered by the filter bar's drop-downs: pipelines, and the entity types, operation types, tenants and
// error codes that occur (`facets`, narrowed to the pipelines chosen: the bar's draft, so the object list narrows as
// soon as a pipeline is picked, before Apply, as seed 003's does). Any value can still be typed.
import { type ComputedRef, computed, ref, watch } from 'vue';
import { facetsQuery } from '../graphql/operations';
import { useApolloClient } from './useApolloClient';
import { usePipelines } from './usePipelines';

export interface Option {
  label: string;
  value: string;
}

export interface FilterOptions {
  pipelines: ComputedRef<Option[]>;
  entityTypes: ComputedRef<Option[]>;
  operationTypes: ComputedRef<Option[]>;
  tenantIds: ComputedRef<Option[]>;
  errorCodes: ComputedRef<Option[]>;
}

interface Facets {
  entityTypes: string[];
  operationTypes: string[];
  tenantIds: string[];
  errorCodes: string[];
}

/** `chosenPipelines`: the pipelines the choices narrow to. */
export function useFilterOptions(chosenPipelines: () => string[]): FilterOptions {
  const client = useApolloClient();
  const { pipelines } = usePipelines();
  let latest = 0;
  const facets = ref<Facets>({ entityTypes: [], operationTypes: [], tenantIds: [], errorCodes: [] });
  const pipelineKey = computed(() => [...chosenPipelines()].sort().join(','));
  watch(
    pipelineKey,
    async () => {
      const pipelineIds = chosenPipelines();
      // Only the answer for the latest choice counts (a reader picking two pipelines quickly).
      const mine = ++latest;
      try {
        const { data } = await client.query({ query: facetsQuery, variables: { pipelineIds: pipelineIds.length ? pipelineIds : null } });
        if (data && mine === latest) facets.value = data.facets;
      } catch {
        // Without facets the drop-downs still take typed values.
      }
    },
    { immediate: true },
  );
  const options = (key: keyof Facets) => computed(() => facets.value[key].map((value) => ({ label: value, value })));
  return {
    pipelines: computed(() => pipelines.value.map((p) => ({ label: p.name, value: p.id }))),
    entityTypes: options('entityTypes'),
    operationTypes: options('operationTypes'),
    tenantIds: options('tenantIds'),
    errorCodes: options('errorCodes'),
  };
}
