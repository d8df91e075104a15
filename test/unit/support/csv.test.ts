import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../support/csv.js';

describe('the tests’ RFC 4180 reader', () => {
  it('reads quoted fields with commas, quotes and line breaks, and tells NULL from empty', () => {
    const text = 'a,b,c\n"x, y","say ""hi""","two\nlines"\n,"",é\r\nlast,"\r\n",z\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      [null, '', 'é'],
      ['last', '\r\n', 'z'],
    ]);
  });

  it('refuses what RFC 4180 does not allow', () => {
    expect(() => parseCsv('a"b,c\n')).toThrow(/quote inside/);
    expect(() => parseCsv('"a"b,c\n')).toThrow(/after a closing quote/);
    expect(() => parseCsv('"abc\n')).toThrow(/unterminated/);
  });
});
