// A step of request handling on Node's own request and response, in Express's middleware shape: Express runs it as
// middleware, and the GraphQL endpoint (graphql-endpoint.ts) runs the same steps without Express.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Step = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Runs `steps` in order, each when the previous one calls next; then `last`. A step that passes an error, or
 * throws, or whose promise rejects, skips the rest for `fail`.
 */
export function runSteps(
  steps: readonly Step[],
  last: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  fail: (error: unknown, req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    let index = 0;
    const next = (error?: unknown): void => {
      if (error) {
        fail(error, req, res);
        return;
      }
      const step = steps[index++];
      try {
        if (!step) {
          last(req, res).catch((failure: unknown) => fail(failure, req, res));
          return;
        }
        const result = step(req, res, next) as unknown;
        if (result instanceof Promise) result.catch((failure: unknown) => fail(failure, req, res));
      } catch (failure) {
        fail(failure, req, res);
      }
    };
    next();
  };
}
