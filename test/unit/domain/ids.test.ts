import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/domain/errors.js';
import { checkIds, echoId, echoIds, isSerialId, isUuid, MAX_IDS } from '../../../server/domain/ids.js';

describe('id shapes', () => {
  it('recognises uuids in either case', () => {
    expect(isUuid('6f1c1c8e-1234-4abc-8def-0123456789ab')).toBe(true);
    expect(isUuid('6F1C1C8E-1234-4ABC-8DEF-0123456789AB')).toBe(true);
    expect(isUuid('6f1c1c8e12344abc8def0123456789ab')).toBe(false);
    expect(isUuid("6f1c1c8e-1234-4abc-8def-0123456789ab' OR 1=1")).toBe(false);
  });

  it('recognises positive serial ids that fit a bigint', () => {
    expect(isSerialId('1')).toBe(true);
    expect(isSerialId('123456789012345678')).toBe(true);
    expect(isSerialId('0')).toBe(false);
    expect(isSerialId('-1')).toBe(false);
    expect(isSerialId('01')).toBe(false);
    expect(isSerialId('1234567890123456789')).toBe(false);
    expect(isSerialId('1e5')).toBe(false);
  });

  it('checkIds names the argument and the bad id', () => {
    expect(() => checkIds(['1', '2'], isSerialId, 'ids')).not.toThrow();
    expect(() => checkIds(null, isSerialId, 'ids')).not.toThrow();
    try {
      checkIds(['1', 'x'], isSerialId, 'filter.runIds');
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('BAD_USER_INPUT');
      expect((error as AppError).message).toMatch(/filter\.runIds: "x"/);
    }
  });
});

describe('ids echoed in errors', () => {
  it('are capped in number and length', () => {
    const many = Array.from({ length: 5_000 }, (_, i) => `x${i}`);
    expect(echoIds(many)).toBe(`${many.slice(0, 10).join(', ')} and 4990 more`);
    expect(echoId('y'.repeat(1_000_000))).toHaveLength(65);
  });

  it('a list over MAX_IDS is BAD_USER_INPUT before any id is looked at', () => {
    expect(() =>
      checkIds(
        Array.from({ length: MAX_IDS + 1 }, () => 'z'),
        () => true,
        'runIds',
      ),
    ).toThrow(/at most 1000 ids/);
    expect(() => checkIds(['q'.repeat(100_000)], () => false, 'runIds')).toThrow(/^runIds: "q{64}…" is not a valid id$/);
  });
});
