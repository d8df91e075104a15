import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../../domain/actor.js';
import { checkPageSize, decodeCursor, encodeCursor } from '../../domain/cursor.js';
import { checkIds, isSerialId } from '../../domain/ids.js';
import { AuditEntry } from '../../entities/AuditEntry.js';
import { AUDIT_PAGE_SQL } from '../../sql/audit.js';

/** Records per tenant, from rows that carry their tenant (an action's touched records). */
export function countByTenant(rows: Iterable<{ tenant_id: string | null }>): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const row of rows) counts.set(row.tenant_id, (counts.get(row.tenant_id) ?? 0) + 1);
  return counts;
}

export interface Page<T> {
  items: { cursor: string; node: T }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** Who did what. Written in the same transaction as the action it describes. */
export class AuditService {
  constructor(private readonly db: DataSource) {}

  async write(
    manager: EntityManager,
    actor: Actor,
    action: string,
    target: string | null,
    details: Record<string, unknown>,
    tenantId: string | null = actor.tenantId,
  ): Promise<void> {
    await manager.insert(AuditEntry, {
      actor: actor.name,
      actorKeyId: actor.keyId,
      tenantId,
      action,
      target,
      details,
    });
  }

  /**
   * An operator action on records, under the tenants of the records it touched (`touched`: records per tenant),
   * so each tenant's keys see in auditLog what was done to its data. A tenant-bound actor touches its own
   * tenant only. A global actor's action on one tenant's records is that tenant's entry; on several, the whole
   * action is one unscoped entry (global keys) and each tenant gets an entry of its own share: how many of its
   * records, and `shared` (details safe to show every tenant: never another tenant's ids or counts).
   */
  async writeTouched(
    manager: EntityManager,
    actor: Actor,
    action: string,
    target: string | null,
    details: Record<string, unknown>,
    touched: ReadonlyMap<string | null, number>,
    shared: Record<string, unknown> = {},
  ): Promise<void> {
    if (actor.tenantId !== null || touched.size === 0) return this.write(manager, actor, action, target, details);
    if (touched.size === 1) return this.write(manager, actor, action, target, details, [...touched.keys()][0]);
    await this.write(manager, actor, action, target, { ...details, tenants: touched.size }, null);
    for (const [tenantId, records] of touched) {
      if (tenantId !== null) await this.write(manager, actor, action, target, { ...shared, records, partOfWiderAction: true }, tenantId);
    }
  }

  /** Newest first. A tenant-bound key sees only its tenant's entries. */
  async list(actor: Actor, first: number, after?: string | null): Promise<Page<AuditEntry>> {
    checkPageSize(first);
    let before: string | null = null;
    if (after) {
      const cursor = decodeCursor(after, 'ID');
      checkIds([cursor.id], isSerialId, 'after');
      before = cursor.id;
    }
    const found: Partial<AuditEntry>[] = await this.db.query(AUDIT_PAGE_SQL, [actor.tenantId, before, first + 1]);
    const rows = found.map((row) => Object.assign(new AuditEntry(), row));
    const page = rows.slice(0, first);
    const items = page.map((node) => ({ node, cursor: encodeCursor({ field: 'ID', value: null, id: node.id }) }));
    return { items, hasNextPage: rows.length > first, endCursor: items.at(-1)?.cursor ?? null };
  }
}
