import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import { checkPageSize, decodeCursor, encodeCursor } from '../domain/cursor.js';
import { checkIds, isSerialId } from '../domain/ids.js';
import { AuditEntry } from '../entities/AuditEntry.js';

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

  /** Newest first. A tenant-bound key sees only its tenant's entries. */
  async list(actor: Actor, first: number, after?: string | null): Promise<Page<AuditEntry>> {
    checkPageSize(first);
    const query = this.db
      .getRepository(AuditEntry)
      .createQueryBuilder('a')
      .orderBy('a.id', 'DESC')
      .limit(first + 1);
    if (actor.tenantId !== null) query.andWhere('a.tenant_id = :tenant', { tenant: actor.tenantId });
    if (after) {
      const cursor = decodeCursor(after, 'ID');
      checkIds([cursor.id], isSerialId, 'after');
      query.andWhere('a.id < :id', { id: cursor.id });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, first);
    const items = page.map((node) => ({ node, cursor: encodeCursor({ field: 'ID', value: null, id: node.id }) }));
    return { items, hasNextPage: rows.length > first, endCursor: items.at(-1)?.cursor ?? null };
  }
}
