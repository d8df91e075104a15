// Choices offered by the filter bar's drop-downs: pipelines, and the entity types, operation types, tenants and
// error codes that occur (`facets`, narrowed to the pipelines chosen in the filters). Any value can still be typed.
import { type ComputedRef, computed, ref, watch } from 'vue';
import { facetsQuery } from '../graphql/operations';
import { useApolloClient } from './useApolloClient';
import { usePipelines } from './usePipelines';
import { useRouteFilters } from './useRouteFilters';

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

export function useFilterOptions(): FilterOptions {
  const client = useApolloClient();
  const { pipelines } = usePipelines();
  const { filters } = useRouteFilters();
  const facets = ref<Facets>({ entityTypes: [], operationTypes: [], tenantIds: [], errorCodes: [] });
  const pipelineKey = computed(() => filters.value.pipelineIds.join(','));
  watch(
    pipelineKey,
    async () => {
      const pipelineIds = filters.value.pipelineIds;
      try {
        const { data } = await client.query({ query: facetsQuery, variables: { pipelineIds: pipelineIds.length ? pipelineIds : null } });
        if (data) facets.value = data.facets;
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
