// Headers every response carries, the same each time (helmet's security headers here): worked out once, then set
// on each response without running the middleware that computes them (issue 13).
import type express from 'express';
import type { Step } from './step.js';

/**
 * Runs `middleware` once against a response that only records the headers it sets, and returns a middleware that
 * sets those on every response. Only for one whose headers depend on nothing of the request or response: it fails
 * here, at start, if it reads anything else, removes a header, or does not call next at once.
 */
export function fixedHeaders(middleware: express.RequestHandler): Step {
  const headers: [name: string, value: string | string[]][] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, typeof value === 'number' ? String(value) : (value as string | string[])]);
    },
    // helmet removes X-Powered-By, which express is told not to send (app.disable('x-powered-by')).
    removeHeader() {},
  };
  let passed = false;
  const strict = (target: object, what: string) =>
    new Proxy(target, {
      get(object, property) {
        if (property in object) return object[property as keyof typeof object];
        throw new Error(`fixedHeaders: the middleware reads ${what}.${String(property)}; its headers are not fixed`);
      },
    });
  middleware(strict({}, 'req') as express.Request, strict(recorder, 'res') as unknown as express.Response, (error?: unknown) => {
    if (error) throw error;
    passed = true;
  });
  if (!passed) throw new Error('fixedHeaders: the middleware did not pass the request on at once');
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
