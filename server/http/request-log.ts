// One JSON line per HTTP request, with the request's id: what pino-http did here, without its two child loggers
// made for every request (issue 13). The line is written when the response finishes (or the connection closes
// first). A step on Node's own request and response, so that both Express and the GraphQL door run it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pino from 'pino';
import type { Step } from './step.js';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's id: the caller's X-Request-Id when sane, else a new one (also answered as X-Request-Id). */
    id?: string;
  }
}

export interface RequestLogOptions {
  /** Paths whose requests write no line (probes and scrapes). */
  quietPaths: readonly string[];
  /** More fields for the line of a finished request (say, a GraphQL request's operation and outcome). */
  factsOf(res: ServerResponse): object;
}

/** A caller's X-Request-Id is kept when it looks like an id. */
const SANE_ID = /^[\w.:-]{1,100}$/;

export function requestLog(base: pino.Logger, options: RequestLogOptions): Step {
  const quiet = new Set(options.quietPaths);

  return (req: IncomingMessage & { originalUrl?: string }, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (quiet.has(req.url ?? '')) return next();

    const started = Date.now();
    const method = req.method;
    const url = req.url;
    const done = (error?: Error) => {
      res.off('finish', done);
      res.off('close', done);
      res.off('error', done);
      // Closed before its answer was all sent (the client left, or a download was cut at shutdown): not "done".
      const cut = !error && !res.writableFinished;
      const failure = error ?? (!cut && res.statusCode >= 500 ? new Error(`failed with status code ${res.statusCode}`) : undefined);
      const line: Record<string, unknown> = {
        reqId: id,
        req: { method, url },
        res: { statusCode: res.statusCode, ...(cut ? { complete: false } : {}) },
        ...(failure ? { err: failure } : {}),
        durationMs: Date.now() - started,
        ...options.factsOf(res),
      };
      const path = req.originalUrl ?? req.url;
      // 503 is a refusal to retry (overload, the database away, shutdown), not a fault of this request: a warning.
      if (failure && res.statusCode === 503 && !error) base.warn(line, `${method} ${path} refused`);
      else if (failure) base.error(line, `${method} ${path} failed`);
      else if (cut) base.info(line, `${method} ${path} closed before its answer was complete`);
      else base.info(line, `${method} ${path} done`);
    };
    res.on('finish', done);
    res.on('close', done);
    res.on('error', done);
    next();
  };
}
