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

/** A request that would have waited, or was waiting, when the turns closed (shutdown). */
export class TurnsClosed extends Error {
  constructor() {
    super('the server is shutting down');
  }
}

/** A request that stopped waiting because its client left. */
export class TurnAbandoned extends Error {
  constructor() {
    super('the client left while waiting for a turn');
  }
}

export interface Turns {
  /**
   * Waits for a turn (at most `waitMs`, else rejects with TurnTimeout); resolves with the function that gives it back.
   * `onWait` is called only when the request has to wait, with the function that withdraws it (TurnAbandoned).
   */
  take(waitMs: number, onWait?: (leave: () => void) => void): Promise<() => void>;
  /**
   * From now on nobody waits: the waiting are refused (TurnsClosed), and so is anyone who would have to wait. Those
   * running finish, and a free turn is still given: what the drain waits for is what runs, not a queue behind it.
   */
  close(): void;
  /** Requests waiting for a turn now (metrics). */
  readonly waiting: number;
}

interface Waiter {
  start(): void;
  /** Takes it out of the queue with this error (it is skipped when its turn would have come); once. */
  refuse(error: Error): void;
  /** Set once it has been refused: skipped when its turn comes. */
  gone: boolean;
  /** Set once its turn came. */
  started: boolean;
}

/** `limit` requests at a time; 0: no limit. */
export function createTurns(limit: number): Turns {
  let running = 0;
  let closed = false;
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
    take(waitMs, onWait) {
      if (limit === 0) return Promise.resolve(() => {});
      if (running < limit) {
        running++;
        return Promise.resolve(turn());
      }
      if (closed) return Promise.reject(new TurnsClosed());
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          gone: false,
          started: false,
          start() {
            waiter.started = true;
            clearTimeout(timer);
            resolve(turn());
          },
          refuse(error) {
            if (waiter.gone || waiter.started) return;
            waiter.gone = true;
            waiting--;
            clearTimeout(timer);
            reject(error);
          },
        };
        const timer = setTimeout(() => waiter.refuse(new TurnTimeout(waitMs)), waitMs);
        timer.unref?.();
        queue.push(waiter);
        waiting++;
        // Withdrawing after the turn came does nothing: the turn is then given back by whoever holds it.
        onWait?.(() => waiter.refuse(new TurnAbandoned()));
      });
    },
    close() {
      closed = true;
      for (const waiter of queue.slice(head)) waiter.refuse(new TurnsClosed());
      queue = [];
      head = 0;
    },
  };
}
