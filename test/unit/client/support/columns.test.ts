import { describe, expect, it } from 'vitest';
import { columnsStorageKey, compactList, hiddenColumnsFrom } from '../../../../client/src/support/columns.js';

const COLUMNS = [
  { key: 'startedAt', label: 'Started' },
  { key: 'endedAt', label: 'Ended' },
  { key: 'tenant', label: 'Tenant' },
];

describe('the column choice', () => {
  it('starts from the defaults when nothing is stored, or something unreadable', () => {
    expect(hiddenColumnsFrom(null, COLUMNS, ['endedAt'])).toEqual(['endedAt']);
    expect(hiddenColumnsFrom('{not json', COLUMNS, ['endedAt'])).toEqual(['endedAt']);
    expect(hiddenColumnsFrom('"tenant"', COLUMNS, ['endedAt'])).toEqual(['endedAt']);
  });
  it('reads the stored choice, an empty one included, and forgets columns the table no longer has', () => {
    expect(hiddenColumnsFrom('["tenant"]', COLUMNS, ['endedAt'])).toEqual(['tenant']);
    expect(hiddenColumnsFrom('[]', COLUMNS, ['endedAt'])).toEqual([]);
    expect(hiddenColumnsFrom('["gone", "tenant", 3]', COLUMNS, [])).toEqual(['tenant']);
  });
  it('keeps each table’s choice under its own key', () => {
    expect(columnsStorageKey('history')).not.toBe(columnsStorageKey('records'));
  });
});

describe('a compact list', () => {
  it('shows the first value and how many more, and all of them on hover', () => {
    expect(compactList(['Account', 'Contact', 'Lead'])).toEqual({ text: 'Account +2', title: 'Account, Contact, Lead' });
    expect(compactList(['Account'])).toEqual({ text: 'Account', title: 'Account' });
    expect(compactList([])).toEqual({ text: '—', title: '' });
  });
});
