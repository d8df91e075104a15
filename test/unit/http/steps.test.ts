// The GraphQL door's plumbing: steps run in order and any failure reaches `fail` once, and which paths are its own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isGraphQLPath } from '../../../server/http/graphql-endpoint.js';
import { runSteps, type Step } from '../../../server/http/step.js';

const req = {} as IncomingMessage;
const res = {} as ServerResponse;

/** Runs the steps; resolves with what happened, in order, once `last` or `fail` ran. */
function run(steps: Step[]): Promise<string[]> {
  const seen: string[] = [];
  return new Promise((resolve) => {
    runSteps(
      steps,
      async () => {
        seen.push('last');
        resolve(seen);
      },
      (error) => {
        seen.push(`fail: ${(error as Error).message}`);
        resolve(seen);
      },
    )(req, res);
  }).then(() => seen);
}

const named =
  (name: string, seen: string[]): Step =>
  (_req, _res, next) => {
    seen.push(name);
    next();
  };

describe('runSteps', () => {
  it('runs every step in order, then the last', async () => {
    const seen: string[] = [];
    const result = await run([named('a', seen), named('b', seen)]);
    expect([...seen, ...result]).toEqual(['a', 'b', 'last']);
  });

  it('skips to fail on next(error), a throw, or a rejected promise, and runs nothing after', async () => {
    const seen: string[] = [];
    expect(await run([(_q, _s, next) => next(new Error('passed')), named('after', seen)])).toEqual(['fail: passed']);
    expect(
      await run([
        () => {
          throw new Error('thrown');
        },
        named('after', seen),
      ]),
    ).toEqual(['fail: thrown']);
    expect(await run([async () => Promise.reject(new Error('rejected')), named('after', seen)])).toEqual(['fail: rejected']);
    expect(seen).toEqual([]);
  });

  it('answers nothing more when a step answers by itself (never calls next)', async () => {
    const seen: string[] = [];
    const stopped = runSteps(
      [named('a', seen), () => seen.push('answered')],
      async () => void seen.push('last'),
      () => seen.push('fail'),
    );
    stopped(req, res);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual(['a', 'answered']);
  });
});

describe('isGraphQLPath', () => {
  it('is /graphql and below it, in any case, with or without a query string', () => {
    for (const url of ['/graphql', '/graphql?query={__typename}', '/GraphQL', '/graphql/', '/graphql/x'])
      expect(isGraphQLPath(url), url).toBe(true);
    for (const url of ['/', '/graphqlx', '/healthz', '/exports/a.csv', '/x/graphql', undefined])
      expect(isGraphQLPath(url), String(url)).toBe(false);
  });
});
