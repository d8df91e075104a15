import { describe, expect, it } from 'vitest';
import { FORMULA_TRIGGERS, neutraliseCell, neutraliseCellSql } from '../../../server/domain/csv-cells.js';

describe('neutraliseCell', () => {
  it.each(['=SUM(A1:A9)', '+1', '-2+3', '@cmd', '\tx', '\rx', '=', "='quoted'"])('puts an apostrophe before %j', (cell) => {
    expect(neutraliseCell(cell)).toBe(`'${cell}`);
  });

  it.each(['', 'ACC-1', ' =1', "'=1", 'a=b', '1-2', 'Ü=1', '\n=1'])('leaves %j as it is', (cell) => {
    expect(neutraliseCell(cell)).toBe(cell);
  });

  it('knows the six characters OWASP lists', () => {
    expect([...FORMULA_TRIGGERS].sort()).toEqual(['\t', '\r', '+', '-', '=', '@'].sort());
  });
});

describe('neutraliseCellSql', () => {
  it('tests the code of the first character against every trigger', () => {
    const sql = neutraliseCellSql('t.name');
    expect(sql).toBe("CASE WHEN ascii(t.name) IN (61, 43, 45, 64, 9, 13) THEN '''' || t.name ELSE t.name END");
  });
});
