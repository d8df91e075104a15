import { describe, expect, it } from 'vitest';
import { RecordOperation, RecordStatus, RunStatus, SyncMode } from '../../../server/domain/enums.js';
import type { SyncRecord } from '../../../server/entities/SyncRecord.js';
import type { SyncRun } from '../../../server/entities/SyncRun.js';
import { checkRunFilter, recordMatches, runMatches } from '../../../server/events/live-filters.js';
import { comparePositions, decodeEventCursor, encodeEventCursor } from '../../../server/events/position.js';

const run = {
  id: '6f1c2d3e-0000-4000-8000-000000000001',
  pipelineId: '6f1c2d3e-0000-4000-8000-0000000000aa',
  tenantId: 'acme',
  mode: SyncMode.SCHEDULED,
  status: RunStatus.RUNNING,
  operationType: 'Pull updates',
  correlationId: 'nightly-42',
  startedAt: new Date('2026-11-20T10:00:00Z'),
  endedAt: null,
  entityTypes: ['Account', 'Contact'],
} as SyncRun;

const record = {
  id: '17',
  runId: run.id,
  pipelineId: run.pipelineId,
  tenantId: 'acme',
  mode: SyncMode.SCHEDULED,
  entityType: 'Account',
  sourceId: 'ACC-0042',
  operation: RecordOperation.UPDATE,
  status: RecordStatus.FAILED,
  errorCode: 'LOCKED',
  errorFingerprint: 'abc',
  startedAt: new Date('2026-11-20T10:00:05Z'),
} as SyncRecord;

describe('runMatches', () => {
  it('matches like the runs query: AND of fields, any value of a list', () => {
    expect(runMatches(null, run, 'Billing → CRM')).toBe(true);
    expect(runMatches({ statuses: [RunStatus.QUEUED, RunStatus.RUNNING], modes: [SyncMode.SCHEDULED] }, run, null)).toBe(true);
    expect(runMatches({ statuses: [RunStatus.RUNNING], modes: [SyncMode.MANUAL] }, run, null)).toBe(false);
    expect(runMatches({ tenantIds: [] }, run, null)).toBe(false);
    expect(runMatches({ operationTypes: ['Push'] }, run, null)).toBe(false);
    expect(runMatches({ entityTypes: ['Lead', 'Contact'] }, run, null)).toBe(true);
    expect(runMatches({ entityTypes: ['Lead'] }, run, null)).toBe(false);
    expect(runMatches({ entityTypes: [] }, run, null)).toBe(false);
  });

  it('treats ranges as from-inclusive, to-exclusive; a null time never matches a range', () => {
    const at = run.startedAt as Date;
    expect(runMatches({ startedAt: { from: at } }, run, null)).toBe(true);
    expect(runMatches({ startedAt: { to: at } }, run, null)).toBe(false);
    expect(runMatches({ endedAt: { from: new Date(0) } }, run, null)).toBe(false);
  });

  it('searches the id exactly and the correlation id, tenant and pipeline name case-insensitively', () => {
    expect(runMatches({ search: run.id.toUpperCase() }, run, null)).toBe(true);
    expect(runMatches({ search: 'NIGHTLY' }, run, null)).toBe(true);
    expect(runMatches({ search: 'crm' }, run, 'Billing → CRM')).toBe(true);
    expect(runMatches({ search: 'erp' }, run, 'Billing → CRM')).toBe(false);
  });

  it('refuses a malformed filter as the queries do', () => {
    expect(() => checkRunFilter({ pipelineIds: ['nope'] })).toThrow(/pipelineIds/);
    expect(() => checkRunFilter({ startedAt: { from: new Date(2), to: new Date(1) } })).toThrow(/from/);
  });
});

describe('recordMatches', () => {
  it('matches source ids by part, ignoring case, and codes exactly', () => {
    expect(recordMatches({ sourceId: 'acc-00' }, record)).toBe(true);
    expect(recordMatches({ errorCode: 'LOCKED', statuses: [RecordStatus.FAILED] }, record)).toBe(true);
    expect(recordMatches({ errorCode: 'locked' }, record)).toBe(false);
    expect(recordMatches({ entityTypes: ['Lead'] }, record)).toBe(false);
    expect(recordMatches({ runIds: [run.id], operations: [RecordOperation.UPDATE] }, record)).toBe(true);
  });
});

describe('event positions', () => {
  it('compare as numbers, xid first, and survive the cursor round trip', () => {
    const a = { xid: 999n, id: 50n };
    const b = { xid: 1000n, id: 7n };
    expect(comparePositions(a, b)).toBe(-1);
    expect(decodeEventCursor(encodeEventCursor(b))).toEqual(b);
    expect(() => decodeEventCursor('not-a-cursor')).toThrow(/EVENTS_EXPIRED/);
  });
});
