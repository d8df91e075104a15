import { describe, expect, it } from 'vitest';
import { createTurns, TurnAbandoned, TurnsClosed, TurnTimeout } from '../../server/graphql/turns.js';

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

  it('lets a waiting request leave: it is no longer counted, and its turn goes to the next', async () => {
    const turns = createTurns(1);
    const first = await turns.take(10_000);
    let leave = () => {};
    const leaving = turns.take(10_000, (withdraw) => {
      leave = withdraw;
    });
    const next = turns.take(10_000);
    expect(turns.waiting).toBe(2);
    leave();
    leave(); // twice is once
    await expect(leaving).rejects.toBeInstanceOf(TurnAbandoned);
    expect(turns.waiting).toBe(1);
    first();
    const giveBack = await next;
    expect(turns.waiting).toBe(0);
    giveBack();
  });

  it('tells only a request that has to wait how to leave, and leaving after its turn came does nothing', async () => {
    const turns = createTurns(1);
    let told = 0;
    const first = await turns.take(10_000, () => told++);
    expect(told).toBe(0);
    let leave = () => {};
    const second = turns.take(10_000, (withdraw) => {
      told++;
      leave = withdraw;
    });
    expect(told).toBe(1);
    first();
    const giveBack = await second;
    leave(); // it already runs: no effect on the count or the turn
    expect(turns.waiting).toBe(0);
    const third = turns.take(10);
    await expect(third).rejects.toBeInstanceOf(TurnTimeout); // the turn is still held by the second
    giveBack();
    (await turns.take(10))();
  });

  it('once closed, refuses those waiting and whoever would wait, and still gives a free turn', async () => {
    const turns = createTurns(2);
    const a = await turns.take(10_000);
    const b = await turns.take(10_000);
    const waiting = [turns.take(10_000), turns.take(10_000)];
    expect(turns.waiting).toBe(2);
    turns.close();
    for (const refused of waiting) await expect(refused).rejects.toBeInstanceOf(TurnsClosed);
    expect(turns.waiting).toBe(0);
    await expect(turns.take(10_000)).rejects.toBeInstanceOf(TurnsClosed);
    a();
    // A turn came free: taken at once, not refused (what runs is what the drain waits for).
    const c = await turns.take(10_000);
    b();
    c();
    expect(turns.waiting).toBe(0);
  });

  it('does not limit when the limit is 0', async () => {
    const turns = createTurns(0);
    await Promise.all(Array.from({ length: 100 }, () => turns.take(1)));
    expect(turns.waiting).toBe(0);
  });
});
