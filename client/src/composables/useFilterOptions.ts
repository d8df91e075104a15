// Choices offered by the filter bar's drop-downs. The one place to swap free text for the `facets(pipelineIds)`
// query once the schema has it: return its values here, and every filter bar offers them.
import { type ComputedRef, computed } from 'vue';
import { usePipelines } from './usePipelines';

export interface Option {
  label: string;
  value: string;
}

export interface FilterOptions {
  pipelines: ComputedRef<Option[]>;
  /** Known values per free-text field; empty means "type any value". */
  entityTypes: ComputedRef<Option[]>;
  operationTypes: ComputedRef<Option[]>;
  tenantIds: ComputedRef<Option[]>;
  errorCodes: ComputedRef<Option[]>;
}

export function useFilterOptions(): FilterOptions {
  const { pipelines } = usePipelines();
  const none = computed<Option[]>(() => []);
  return {
    pipelines: computed(() => pipelines.value.map((p) => ({ label: p.name, value: p.id }))),
    entityTypes: none,
    operationTypes: none,
    errorCodes: none,
    // Until facets: the tenants of the visible pipelines are a fair list to start typing from.
    tenantIds: computed(() =>
      [...new Set(pipelines.value.map((p) => p.tenantId).filter((t): t is string => !!t))].sort().map((t) => ({ label: t, value: t })),
    ),
  };
}
