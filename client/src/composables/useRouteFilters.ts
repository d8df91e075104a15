// The filters of the current page, read from and written to the URL query: Apply pushes a history entry, so the
// back button returns to the previous filters and a reload or a shared address shows the same list.
import { computed } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { type ConsoleFilters, emptyFilters, FILTER_PARAMS, filtersFromQuery, filtersToQuery } from '../support/filters';

export function useRouteFilters() {
  const route = useRoute();
  const router = useRouter();
  const filters = computed(() => filtersFromQuery(route.query));
  /** A stable key of the filters: lists reload when it changes, not on every navigation. */
  const filterKey = computed(() => JSON.stringify(filtersToQuery(filters.value)));

  function otherParams(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(route.query).filter(([name]) => !FILTER_PARAMS.includes(name)));
  }

  function apply(next: ConsoleFilters): Promise<unknown> {
    return router.push({ query: { ...otherParams(), ...filtersToQuery(next) } as never });
  }

  return { filters, filterKey, apply, reset: () => apply(emptyFilters()) };
}

/** One URL parameter of a page's own (the sort, a status tab), with a default left out of the address. */
export function useQueryParam<T extends string>(name: string, fallback: T, allowed: readonly T[]) {
  const { value: text } = useOptionalQueryParam(name);
  return computed<T>({
    get: () => (text.value !== null && (allowed as readonly string[]).includes(text.value) ? (text.value as T) : fallback),
    set: (value) => {
      text.value = value === fallback ? null : value;
    },
  });
}

/**
 * A free-text URL parameter of a page's own (a chosen chart bucket); null when absent. Setting it pushes a history
 * entry; `drop` removes it in place, for when a change made elsewhere (new filters) makes it meaningless.
 */
export function useOptionalQueryParam(name: string) {
  const route = useRoute();
  const router = useRouter();
  const without = () => Object.fromEntries(Object.entries(route.query).filter(([key]) => key !== name));
  const value = computed<string | null>({
    get: () => {
      const current = route.query[name];
      return typeof current === 'string' && current !== '' ? current : null;
    },
    set: (next) => {
      if ((route.query[name] ?? null) === next) return;
      void router.push({ query: next === null ? without() : { ...route.query, [name]: next } });
    },
  });
  const drop = () => {
    if (route.query[name] !== undefined) void router.replace({ query: without() });
  };
  return { value, drop };
}
