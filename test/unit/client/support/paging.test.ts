import { describe, expect, it } from 'vitest';
import { appendPage } from '../../../../client/src/support/paging.js';

const edge = (id: string) => ({ cursor: `c${id}`, node: { id } });

describe('appendPage', () => {
  it('puts the next page after the shown one and continues from its end', () => {
    const shown = { edges: [edge('1'), edge('2')], pageInfo: { hasNextPage: true, endCursor: 'c2' } };
    const next = { edges: [edge('3')], pageInfo: { hasNextPage: false, endCursor: 'c3' } };
    expect(appendPage(shown, next)).toEqual({
      edges: [edge('1'), edge('2'), edge('3')],
      pageInfo: { hasNextPage: false, endCursor: 'c3' },
    });
  });

  it('shows an edge once when a page is loaded twice', () => {
    const shown = { edges: [edge('1'), edge('2')], pageInfo: { hasNextPage: true, endCursor: 'c2' } };
    expect(appendPage(shown, { edges: [edge('2'), edge('3')], pageInfo: { hasNextPage: false, endCursor: 'c3' } }).edges).toHaveLength(3);
  });
});
