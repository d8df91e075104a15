// How a shared live stream reaches its members' sockets: in order, a slice of time at a time with the event loop
// free in between, each socket at its own pace, and a member too far behind closed as too slow. The sockets here
// are stand-ins that record what they were handed (the sending over real sockets: test/integration/live-*.test.ts).
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { EventHub } from '../../../server/events/event-hub.js';
import { createSubscriptionSharing, type ShareHint } from '../../../server/graphql/ws/shared-subscriptions.js';

/** A source of results the test pushes, as graphql-ws's subscribe() would yield them. */
function resultSource() {
  const ready: ExecutionResult[] = [];
  let wake: (() => void) | null = null;
  const ended = false;
  async function* results(): AsyncGenerator<ExecutionResult, void, void> {
    while (!ended) {
      const next = ready.shift();
      if (next) yield next;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return {
    iterator: results(),
    push(n: number) {
      ready.push({ data: { n } });
      wake?.();
    },
  };
}

/** A socket as the sharing sees it: the payloads it was handed, and, while held, writes it has not confirmed. */
class StandInSocket {
  readonly received: number[] = [];
  closedTooSlow = 0;
  /** Times it was handed several messages at once. */
  batches = 0;
  private held: ((error?: Error) => void)[] | null = null;
  /** What runs inside each send (the test's clock of event loop turns, say). */
  onSend: () => void = () => {};

  constructor(
    readonly key: string,
    private readonly maxBuffered = 1_000,
  ) {}

  /** Stops confirming writes: the socket reports 100 KB unwritten per message it holds. */
  hold(): void {
    this.held = [];
  }

  /** Writes what it held and confirms it. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const sent of held) sent();
  }

  hint(): ShareHint {
    return {
      hub: null as unknown as EventHub, // the sharing never reads the hub: streams do
      maxBuffered: this.maxBuffered,
      sameForAll: true,
      shareKey: this.key,
      closeTooSlow: () => this.closedTooSlow++,
      buffered: () => (this.held?.length ?? 0) * 100_000,
      batch: (send) => {
        this.batches++;
        send();
      },
      sendNext: (payload, sent) => {
        this.onSend();
        this.received.push((JSON.parse(payload.toString()) as { data: { n: number } }).data.n);
        if (this.held) this.held.push(sent);
        else process.nextTick(sent); // as a socket with room confirms a write
        return true;
      },
    };
  }
}

function sharing() {
  const { share, drained } = createSubscriptionSharing(
    (args) => args.contextValue as ShareHint,
    (result) => Buffer.from(JSON.stringify(result)),
  );
  const source = resultSource();
  let created = false;
  return {
    source,
    drained,
    /** Joins a socket to the shared stream (the first one creates it); its iterator ends when the member does. */
    join(socket: StandInSocket) {
      // graphql-ws executes every subscription; a later member's own result is ended in favour of the shared one.
      const own = created ? resultSource().iterator : source.iterator;
      created = true;
      const member = share({ contextValue: socket.hint() } as unknown as ExecutionArgs, own);
      if (!member) throw new Error('not shared');
      return member;
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('shared live streams', () => {
  it('send to many members a slice at a time, with the event loop free in between', async () => {
    const { source, join } = sharing();
    const sockets = Array.from({ length: 2_000 }, () => new StandInSocket('same'));
    // Counts event loop turns; each send notes the turn it ran in. Each send takes at least 10 µs, so the 2,000
    // take at least 20 ms: sent all at once they would all note the same turn.
    let loopTurns = 0;
    let counting = true;
    const count = () => {
      loopTurns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const turnsSeen = new Set<number>();
    for (const socket of sockets) {
      socket.onSend = () => {
        turnsSeen.add(loopTurns);
        const until = performance.now() + 0.01;
        while (performance.now() < until);
      };
      join(socket);
    }
    source.push(1);
    await until(() => sockets.every((s) => s.received.length === 1), 'every member to get the event');
    counting = false;
    expect(turnsSeen.size).toBeGreaterThan(1);
  });

  it('keep each member’s order, and let a member that is behind catch up without holding up the others', async () => {
    const { source, join } = sharing();
    const fast = new StandInSocket('same');
    const behind = new StandInSocket('same');
    join(fast);
    join(behind);
    behind.hold();
    for (let n = 1; n <= 5; n++) source.push(n);
    await until(() => fast.received.length === 5, 'the fast member to get every event');
    await turn();
    // Handed one message, the socket holds more than it may: the rest wait in the member's queue.
    expect(behind.received).toEqual([1]);
    behind.release();
    await until(() => behind.received.length === 5, 'the member that was behind to catch up');
    expect(fast.received).toEqual([1, 2, 3, 4, 5]);
    expect(behind.received).toEqual([1, 2, 3, 4, 5]);
    // Two turns, each handing over what waited as one batch (one system call): 1 alone (then the socket was full),
    // then 2-5 together.
    expect(behind.batches).toBe(2);
    expect(fast.closedTooSlow + behind.closedTooSlow).toBe(0);
  });

  it('say when what was published has been handed to every socket that keeps up, not waiting for one behind', async () => {
    const { source, join, drained } = sharing();
    const sockets = Array.from({ length: 500 }, () => new StandInSocket('same'));
    for (const socket of sockets) join(socket);
    const behind = sockets[0];
    behind.hold();
    for (let n = 1; n <= 3; n++) source.push(n);
    await turn(); // results are published on promises; the hub waits one turn too
    await drained();
    for (const socket of sockets.slice(1)) expect(socket.received).toEqual([1, 2, 3]);
    expect(behind.received).toEqual([1]);
  });

  it('close a member with more than maxBuffered waiting as too slow, and only that one', async () => {
    const { source, join } = sharing();
    const fast = new StandInSocket('same', 2);
    const stuck = new StandInSocket('same', 2);
    join(fast);
    const stuckMember = join(stuck);
    stuck.hold();
    // One at a time, each sent before the next: what waits for the send queue's turn counts as waiting too.
    for (let n = 1; n <= 4; n++) {
      source.push(n);
      await until(() => fast.received.length === n, 'the fast member to get the event');
    }
    expect(stuck.closedTooSlow).toBe(1);
    expect(fast.closedTooSlow).toBe(0);
    // Its stream has ended: graphql-ws completes the subscription (the socket is being closed anyway).
    expect(await stuckMember.next()).toEqual({ value: undefined, done: true });
    source.push(5);
    await until(() => fast.received.length === 5, 'the fast member to get the next event');
    expect(stuck.received).toEqual([1]);
  });
});
