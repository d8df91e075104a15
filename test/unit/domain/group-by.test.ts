import { describe, expect, it } from 'vitest';
import { groupBy } from '../../../server/domain/group-by.js';

describe('groupBy', () => {
  it('groups by key in order of first appearance, keeping each group’s order', () => {
    const rows = [
      { run: 'b', id: 1 },
      { run: 'a', id: 2 },
      { run: 'b', id: 3 },
    ];
    expect([...groupBy(rows, (row) => row.run)]).toEqual([
      ['b', [rows[0], rows[2]]],
      ['a', [rows[1]]],
    ]);
    expect(groupBy([], (row: { run: string }) => row.run).size).toBe(0);
  });
});
