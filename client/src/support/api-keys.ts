// The API has no list of keys: the console knows the keys it can revoke from the audit log (created, not revoked).

export interface AuditLike {
  at: string;
  action: string;
  target?: string | null;
  actor: string;
  details?: unknown;
}

export interface KnownKey {
  id: string;
  name: string;
  role: string;
  tenantId: string | null;
  createdAt: string;
  createdBy: string;
}

function keyId(target: string | null | undefined): string | null {
  return target?.startsWith('apiKey:') ? target.slice('apiKey:'.length) : null;
}

/** Keys created and not revoked, newest first, from audit entries in any order. */
export function keysFromAudit(entries: readonly AuditLike[]): KnownKey[] {
  const revoked = new Set(entries.filter((e) => e.action === 'revokeApiKey').map((e) => keyId(e.target)));
  const keys: KnownKey[] = [];
  for (const entry of entries) {
    const id = keyId(entry.target);
    if (entry.action !== 'createApiKey' || !id || revoked.has(id)) continue;
    const details = (entry.details ?? {}) as { name?: string; role?: string; tenantId?: string | null };
    keys.push({
      id,
      name: details.name ?? id,
      role: details.role ?? '?',
      tenantId: details.tenantId ?? null,
      createdAt: entry.at,
      createdBy: entry.actor,
    });
  }
  return keys.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
