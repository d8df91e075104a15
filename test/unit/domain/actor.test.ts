import { describe, expect, it } from 'vitest';
import { type Actor, can, type Permission, sees, tenantFor } from '../../../server/domain/actor.js';
import { Role } from '../../../server/domain/enums.js';
import { AppError } from '../../../server/domain/errors.js';

const actor = (role: Role, tenantId: string | null = null): Actor => ({ keyId: 'k', name: 'test', role, tenantId });

describe('can', () => {
  // docs/api.md, Roles: VIEWER reads; OPERATOR also operates; INGEST reports; ADMIN everything.
  const MATRIX: Record<Role, Permission[]> = {
    VIEWER: ['read'],
    OPERATOR: ['read', 'operate'],
    INGEST: ['read', 'ingest'],
    ADMIN: ['read', 'operate', 'ingest', 'admin'],
  };

  it.each(Object.values(Role))('%s has exactly its permissions', (role) => {
    const all: Permission[] = ['read', 'operate', 'ingest', 'admin'];
    expect(all.filter((permission) => can(actor(role), permission))).toEqual(MATRIX[role]);
  });

  it('does not depend on the tenant', () => {
    expect(can(actor(Role.ADMIN, 'acme'), 'admin')).toBe(true);
    expect(can(actor(Role.VIEWER, 'acme'), 'operate')).toBe(false);
  });
});

describe('tenantFor', () => {
  it('lets an unbound key pick any tenant or none', () => {
    expect(tenantFor(actor(Role.ADMIN), 'acme')).toBe('acme');
    expect(tenantFor(actor(Role.ADMIN), null)).toBeNull();
    expect(tenantFor(actor(Role.ADMIN), undefined)).toBeNull();
  });

  it('puts a bound key’s objects in its tenant', () => {
    expect(tenantFor(actor(Role.ADMIN, 'acme'), null)).toBe('acme');
    expect(tenantFor(actor(Role.ADMIN, 'acme'), 'acme')).toBe('acme');
  });

  it('refuses a bound key acting for another tenant with FORBIDDEN', () => {
    expect(() => tenantFor(actor(Role.ADMIN, 'acme'), 'globex')).toThrow(AppError);
    try {
      tenantFor(actor(Role.ADMIN, 'acme'), 'globex');
    } catch (error) {
      expect((error as AppError).code).toBe('FORBIDDEN');
    }
  });
});

describe('sees', () => {
  it('lets an unbound key see everything and a bound key only its tenant', () => {
    expect(sees(actor(Role.VIEWER), 'acme')).toBe(true);
    expect(sees(actor(Role.VIEWER), null)).toBe(true);
    expect(sees(actor(Role.VIEWER, 'acme'), 'acme')).toBe(true);
    expect(sees(actor(Role.VIEWER, 'acme'), 'globex')).toBe(false);
    expect(sees(actor(Role.VIEWER, 'acme'), null)).toBe(false);
  });
});
