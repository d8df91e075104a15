// How many GraphQL requests run at once. Past the limit a request waits for its turn, first come first served.
// Why: under overload (more requests than pooled connections), each statement of a request queued again at the pool,
// behind the statements of every request that came after it, so a request of four statements waited four times as
// long as one of one (issue 13: totalCount at p50 470 ms beside pages at 195 ms, 100 connections). With a bounded
// number running, the wait is taken once, here, in order of arrival, and each running request's statements find the
// pool nearly free.

/** A request that waited longer than it may for its turn. */
export class TurnTimeout extends Error {
  constructor(waitedMs: number) {
    super(`no turn to run within ${waitedMs} ms`);
  }
}

export interface Turns {
  /** Waits for a turn (at most `waitMs`, else rejects with TurnTimeout); resolves with the function that gives it back. */
  take(waitMs: number): Promise<() => void>;
  /** Requests waiting for a turn now (metrics). */
  readonly waiting: number;
}

interface Waiter {
  start(): void;
  /** Set once it has timed out: skipped when its turn comes. */
  gone: boolean;
}

/** `limit` requests at a time; 0: no limit. */
export function createTurns(limit: number): Turns {
  let running = 0;
  // First come first served: a queue whose head moves forward, compacted now and then.
  let queue: Waiter[] = [];
  let head = 0;
  let waiting = 0;

  const giveBack = () => {
    while (head < queue.length) {
      const next = queue[head++];
      if (next.gone) continue;
      waiting--;
      if (head > 1_000 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      next.start();
      return;
    }
    running--;
  };
  const turn = () => {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      giveBack();
    };
  };

  return {
    get waiting() {
      return waiting;
    },
    take(waitMs) {
      if (limit === 0) return Promise.resolve(() => {});
      if (running < limit) {
        running++;
        return Promise.resolve(turn());
      }
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          gone: false,
          start() {
            clearTimeout(timer);
            resolve(turn());
          },
        };
        const timer = setTimeout(() => {
          waiter.gone = true;
          waiting--;
          reject(new TurnTimeout(waitMs));
        }, waitMs);
        timer.unref?.();
        queue.push(waiter);
        waiting++;
      });
    },
  };
}
