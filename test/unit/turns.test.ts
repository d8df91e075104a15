import { describe, expect, it } from 'vitest';
import { createTurns, TurnTimeout } from '../../server/graphql/turns.js';

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('turns', () => {
  it('runs up to the limit at once and the rest in order of arrival, each when a turn is given back', async () => {
    const turns = createTurns(2);
    const started: number[] = [];
    const giveBacks: (() => void)[] = [];
    for (let i = 0; i < 5; i++) {
      void turns.take(10_000).then((giveBack) => {
        started.push(i);
        giveBacks[i] = giveBack;
      });
    }
    await settled();
    expect(started).toEqual([0, 1]);
    expect(turns.waiting).toBe(3);
    giveBacks[1]();
    giveBacks[1](); // twice is once
    await settled();
    expect(started).toEqual([0, 1, 2]);
    giveBacks[0]();
    giveBacks[2]();
    await settled();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(turns.waiting).toBe(0);
    giveBacks[3]();
    giveBacks[4]();
    // Both turns free again: two more start at once.
    await Promise.all([turns.take(10), turns.take(10)]);
  });

  it('refuses a request that waited too long, and skips it when turns come free', async () => {
    const turns = createTurns(1);
    const first = await turns.take(10);
    const late = turns.take(20);
    const patient = turns.take(10_000);
    await expect(late).rejects.toBeInstanceOf(TurnTimeout);
    expect(turns.waiting).toBe(1);
    first();
    const giveBack = await patient;
    expect(turns.waiting).toBe(0);
    giveBack();
    (await turns.take(10))();
  });

  it('does not limit when the limit is 0', async () => {
    const turns = createTurns(0);
    await Promise.all(Array.from({ length: 100 }, () => turns.take(1)));
    expect(turns.waiting).toBe(0);
  });
});
