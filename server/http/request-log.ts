// One JSON line per HTTP request, and its id on every line of the request: what pino-http did here, without its two
// child loggers made for every request (issue 13). The line is written when the response finishes (or the
// connection closes first); `req.log`, a logger whose lines carry the request's id, is made only when used.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';
import type pino from 'pino';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's id: the caller's X-Request-Id when sane, else a new one (also answered as X-Request-Id). */
    id?: string;
    /** A logger whose lines carry the request's id (reqId). */
    readonly log: pino.Logger;
  }
}

export interface RequestLogOptions {
  /** Paths whose requests write no line (probes and scrapes). */
  quietPaths: readonly string[];
  /** More fields for the line of a finished request (say, a GraphQL request's operation and outcome). */
  factsOf(res: ServerResponse): object;
}

const REQUEST_LOG = Symbol('request logger');
/** A caller's X-Request-Id is kept when it looks like an id. */
const SANE_ID = /^[\w.:-]{1,100}$/;

export function requestLog(app: express.Express, base: pino.Logger, options: RequestLogOptions): express.RequestHandler {
  // On the app's request prototype: made on first use, once per request.
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: IncomingMessage & { [REQUEST_LOG]?: pino.Logger }) {
      this[REQUEST_LOG] ??= base.child({ reqId: this.id });
      return this[REQUEST_LOG];
    },
  });
  const quiet = new Set(options.quietPaths);

  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (quiet.has(req.url)) return next();

    const started = Date.now();
    const method = req.method;
    const url = req.url;
    const done = (error?: Error) => {
      res.off('finish', done);
      res.off('close', done);
      res.off('error', done);
      const failure = error ?? (res.statusCode >= 500 ? new Error(`failed with status code ${res.statusCode}`) : undefined);
      const line: Record<string, unknown> = {
        reqId: id,
        req: { method, url },
        res: { statusCode: res.statusCode },
        ...(failure ? { err: failure } : {}),
        durationMs: Date.now() - started,
        ...options.factsOf(res),
      };
      const path = req.originalUrl ?? req.url;
      if (failure) base.error(line, `${method} ${path} failed`);
      else base.info(line, `${method} ${path} done`);
    };
    res.on('finish', done);
    res.on('close', done);
    res.on('error', done);
    next();
  };
}
