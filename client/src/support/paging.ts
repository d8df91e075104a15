// Keyset "load more": the next page's edges go after the ones already shown.

export interface Page<TEdge> {
  edges: TEdge[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/** The shown page extended by the next one; its pageInfo (where to continue) is the next page's. */
export function appendPage<TPage extends Page<{ cursor: string }>>(shown: TPage, next: TPage): TPage {
  const seen = new Set(shown.edges.map((edge) => edge.cursor));
  return { ...next, edges: [...shown.edges, ...next.edges.filter((edge) => !seen.has(edge.cursor))] };
}
