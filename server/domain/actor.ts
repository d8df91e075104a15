// Who is calling, and what that lets them see and do.
import { Role } from './enums.js';
import { forbidden } from './errors.js';

export interface Actor {
  keyId: string;
  name: string;
  role: Role;
  /** A tenant-bound key sees and touches only this tenant's data. */
  tenantId: string | null;
}

/** Roles allowed to do each kind of work; ADMIN may do everything. */
export const PERMISSIONS = {
  read: [Role.VIEWER, Role.OPERATOR, Role.INGEST, Role.ADMIN],
  operate: [Role.OPERATOR, Role.ADMIN],
  ingest: [Role.INGEST, Role.ADMIN],
  admin: [Role.ADMIN],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(actor: Actor, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
}

/**
 * Whether the actor may export the records of a filter naming these runs. OPERATOR and ADMIN export anything; a
 * VIEWER the records of one run, what the run's page shows it (issue 23: a viewer downloads a run's failed records
 * from the count), never a bulk export of everything. INGEST keys (workers) export nothing.
 */
export function mayExportRecords(actor: Actor, runIds: readonly string[] | null | undefined): boolean {
  return can(actor, 'operate') || (actor.role === Role.VIEWER && runIds?.length === 1);
}

/** The tenant a new object of this actor belongs to; a tenant-bound key cannot act for another tenant. */
export function tenantFor(actor: Actor, requested: string | null | undefined): string | null {
  if (actor.tenantId === null) return requested ?? null;
  if (requested != null && requested !== actor.tenantId) {
    throw forbidden(`this key is bound to tenant "${actor.tenantId}" and cannot act for tenant "${requested}"`);
  }
  return actor.tenantId;
}

/**
 * sees() as a match on an object's tenant (say TypeORM's find options): a tenant-bound key's tenant, nothing for a key
 * of every tenant. Statements spell the same rule through sql/tenancy.ts.
 */
export function seenTenant(actor: Actor): { tenantId?: string } {
  return actor.tenantId === null ? {} : { tenantId: actor.tenantId };
}

/** Whether the actor may see an object of this tenant. */
export function sees(actor: Actor, tenantId: string | null): boolean {
  return actor.tenantId === null || actor.tenantId === tenantId;
}
