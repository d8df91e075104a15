import { describe, expect, it } from 'vitest';
import { keysFromAudit } from '../../../../client/src/support/api-keys.js';
import { canAdminister, canOperate, isCancellable } from '../../../../client/src/support/permissions.js';

describe('keysFromAudit', () => {
  it('lists created keys not revoked since, newest first', () => {
    const keys = keysFromAudit([
      {
        at: '2026-11-30T10:00:00Z',
        actor: 'admin',
        action: 'createApiKey',
        target: 'apiKey:1',
        details: { name: 'worker', role: 'INGEST', tenantId: null },
      },
      {
        at: '2026-11-30T11:00:00Z',
        actor: 'admin',
        action: 'createApiKey',
        target: 'apiKey:2',
        details: { name: 'viewer', role: 'VIEWER', tenantId: 'acme' },
      },
      { at: '2026-11-30T12:00:00Z', actor: 'admin', action: 'revokeApiKey', target: 'apiKey:1', details: { name: 'worker' } },
      { at: '2026-11-30T12:30:00Z', actor: 'admin', action: 'cancelRun', target: 'run:9' },
    ]);
    expect(keys).toEqual([
      { id: '2', name: 'viewer', role: 'VIEWER', tenantId: 'acme', createdAt: '2026-11-30T11:00:00Z', createdBy: 'admin' },
    ]);
  });
});

describe('permissions', () => {
  it('shows operator actions to operators and admins, admin pages to admins', () => {
    expect(['VIEWER', 'OPERATOR', 'INGEST', 'ADMIN'].map((r) => canOperate(r as never))).toEqual([false, true, false, true]);
    expect(['VIEWER', 'OPERATOR', 'INGEST', 'ADMIN'].map((r) => canAdminister(r as never))).toEqual([false, false, false, true]);
    expect(canOperate(null)).toBe(false);
  });

  it('offers cancel on queued and running runs only', () => {
    expect((['QUEUED', 'RUNNING', 'CANCELLING', 'SUCCEEDED'] as const).map(isCancellable)).toEqual([true, true, false, false]);
  });
});
