// /graphql on Node's own request and response, the way Apollo's standalone server serves it: Express's router and
// its request and response decorations cost more per request than everything else in front of Apollo together
// (issue 13: about 0.07 ms of CPU a request on this machine, a fifth of `{ __typename }`). The same steps run as
// before (request log, security headers, JSON body, guard); everything else the service serves stays on Express.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import { runSteps, type Step } from './step.js';

/** Whether a request's path is /graphql or below it (matched as Express matched its mount: any case). */
export function isGraphQLPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?', 1)[0].toLowerCase();
  return path === '/graphql' || path.startsWith('/graphql/');
}

export interface GraphQLDoorOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Run in order before Apollo; any of them may answer by itself. */
  steps: readonly Step[];
  context(req: IncomingMessage, res: ServerResponse): Promise<TContext>;
  /** Answers a request whose steps failed (a body too large or not JSON, say). */
  fail(error: unknown, req: IncomingMessage, res: ServerResponse): void;
  /** Told once Apollo has executed the request, or failed to (its answer may still be on its way). */
  executed(res: ServerResponse): void;
}

export function graphqlDoor<TContext extends BaseContext>({ apollo, steps, context, fail, executed }: GraphQLDoorOptions<TContext>) {
  return runSteps(
    steps,
    async (req, res) => {
      try {
        await execute(req, res);
      } finally {
        executed(res);
      }
    },
    fail,
  );

  async function execute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '';
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: (req.method ?? 'GET').toUpperCase(),
        headers,
        search: url.includes('?') ? url.slice(url.indexOf('?')) : '',
        body: (req as { body?: unknown }).body,
      },
      context: () => context(req, res),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}
