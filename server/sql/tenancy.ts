// The tenant rule (domain/actor.ts sees(): a key of every tenant sees every row, a tenant-bound key its tenant's
// rows only) as SQL, spelled here once for every statement that reads or touches tenant data.

/**
 * For a fixed statement, the key's tenant a parameter: `tenant` is its placeholder (say `$2::text`), NULL for a key
 * of every tenant; `column` the row's tenant (say `r.tenant_id`).
 */
export function seenBy(column: string, tenant: string): string {
  return `(${tenant} IS NULL OR ${column} = ${tenant})`;
}

/**
 * For a statement built for one key: the condition a tenant-bound key adds (its tenant bound by `bind`, which
 * returns the placeholder), none (null) for a key of every tenant, so that the planner sees no condition at all.
 */
export function tenantCondition(column: string, tenantId: string | null, bind: (tenantId: string) => string): string | null {
  return tenantId === null ? null : `${column} = ${bind(tenantId)}`;
}
