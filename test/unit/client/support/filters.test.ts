import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  emptyFilters,
  filtersFromQuery,
  filtersToQuery,
  toRecordFilter,
  toRunFilter,
} from '../../../../client/src/support/filters.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('filters in the URL', () => {
  it('round-trips every filter through the query', () => {
    const filters = {
      ...emptyFilters(),
      timeframe: 'custom' as const,
      start: '2026-11-01T00:00:00.000Z',
      end: '2026-11-02T00:00:00.000Z',
      modes: ['MANUAL', 'RETRY'],
      entityTypes: ['Account'],
      statuses: ['FAILED'],
      operations: ['UPDATE'],
      operationTypes: ['Pull updates'],
      pipelineIds: ['p1', 'p2'],
      tenantIds: ['acme'],
      errorCode: 'ROW_LOCKED',
      search: 'corr-42',
    };
    const query = filtersToQuery(filters);
    expect(query).toEqual({
      tf: 'custom',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-02T00:00:00.000Z',
      mode: ['MANUAL', 'RETRY'],
      object: ['Account'],
      status: ['FAILED'],
      op: ['UPDATE'],
      optype: ['Pull updates'],
      pipeline: ['p1', 'p2'],
      tenant: ['acme'],
      error: 'ROW_LOCKED',
      q: 'corr-42',
    });
    expect(filtersFromQuery(query)).toEqual(filters);
  });

  it('leaves defaults out of the address', () => {
    expect(filtersToQuery(emptyFilters())).toEqual({});
    expect(activeFilterCount(emptyFilters())).toBe(0);
  });

  it('reads a single value as a list, and ignores malformed or unknown values', () => {
    const filters = filtersFromQuery({ status: 'FAILED', tf: 'forever', from: 'yesterday', q: '  ', pipeline: ['p1', 'p1', ''] });
    expect(filters.statuses).toEqual(['FAILED']);
    expect(filters.timeframe).toBe('any');
    expect(filters.start).toBeNull();
    expect(filters.search).toBe('');
    expect(filters.pipelineIds).toEqual(['p1']);
  });

  it('drops custom bounds unless the timeframe is custom, and a custom timeframe without bounds', () => {
    expect(filtersFromQuery({ tf: '24h', from: '2026-11-01T00:00:00Z' }).start).toBeNull();
    expect(filtersFromQuery({ tf: 'custom' }).timeframe).toBe('any');
  });
});

describe('filters for the API', () => {
  it('turns a preset into a window ending now, and sends only what is set', () => {
    const filters = { ...filtersFromQuery({ tf: '24h', status: ['RUNNING'], q: ' acme ' }) };
    expect(toRunFilter(filters, NOW)).toEqual({ statuses: ['RUNNING'], startedAt: { from: '2026-11-29T12:00:00.000Z' }, search: 'acme' });
  });

  it('searches records by source id; runs filter by entity type but not by record operation', () => {
    const filters = filtersFromQuery({ object: 'Account', op: 'DELETE', optype: 'Pull', error: 'ROW_LOCKED', q: 'A-1' });
    expect(toRecordFilter(filters, NOW)).toEqual({
      entityTypes: ['Account'],
      operations: ['DELETE'],
      sourceId: 'A-1',
      errorCode: 'ROW_LOCKED',
    });
    expect(toRunFilter(filters, NOW)).toEqual({ entityTypes: ['Account'], operationTypes: ['Pull'], search: 'A-1' });
  });

  it('sends a custom range as given, open on either side', () => {
    const filters = filtersFromQuery({ tf: 'custom', to: '2026-11-02T00:00:00Z' });
    expect(toRunFilter(filters, NOW).startedAt).toEqual({ to: '2026-11-02T00:00:00.000Z' });
  });
});
