// The HTTP door of the execution policy (policy.ts): the key is checked before anything is parsed, the
// document is parsed and shaped under the limits before Apollo validates it, and the cost is priced
// with the variables once Apollo has resolved the operation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import accepts from 'accepts';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Actor } from '../domain/actor.js';
import { AppError } from '../domain/errors.js';
import { actorFromAuthorization, knownActorOfAuthorization } from '../http/auth.js';
import type { Step } from '../http/step.js';
import type { ApiKeyService } from '../services/access/api-key.service.js';
import { isDatabaseUnavailable, isTimeout, TIMEOUT_MESSAGE } from './errors.js';
import { checkCost, isIntrospectionOnly, parseGuarded } from './policy.js';
import type { LimitName, RateLimits, Refusal } from './rate-limits.js';
import { TurnAbandoned, type Turns, TurnsClosed, TurnTimeout } from './turns.js';

/** Documents already accepted (by text): a repeated operation is not parsed twice by the guard. */
const ACCEPTED_MAX = 1_000;

const actors = new WeakMap<ServerResponse, Actor | null>();
const refusals = new WeakMap<ServerResponse, string>();

/** The actor the guard authenticated, for Apollo's context. */
export const actorOfRequest = (res: ServerResponse): Actor | null => actors.get(res) ?? null;

/** The code the guard refused this request with (the request then never reached Apollo); undefined if it did not. */
export const refusalOf = (res: ServerResponse): string | undefined => refusals.get(res);

/** The `query` parameter of a GET request; undefined when absent or given more than once (Apollo refuses those). */
function queryParameter(url: string | undefined): string | undefined {
  const search = url?.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const values = new URLSearchParams(search).getAll('query');
  return values.length === 1 ? values[0] : undefined;
}

/**
 * The step in front of Apollo on /graphql. Answers itself (in GraphQL's error shape) when the address or key is
 * over its rate limit, when the key is bad (RATE_LIMITED rather than UNAUTHENTICATED once the address has failed
 * authentication too often; a valid key is always looked up, whatever the address's failures), when a key-less request asks more than introspection, or when the
 * document is over a limit; otherwise hands the request on with its actor known (actorOfRequest). `addressOf`
 * names the client (its address, or the load balancer's word for it); `onRateLimited` is told of each request
 * refused over a rate limit (metrics). The JSON body is parsed before it.
 */
export function guardGraphQLRequests(
  apiKeys: ApiKeyService,
  limits: RateLimits | null,
  addressOf: (req: IncomingMessage) => string,
  onRateLimited: (limit: LimitName) => void = () => {},
): Step {
  const accepted = new Map<string, true>();
  const tooMany = (req: IncomingMessage, res: ServerResponse, refusal: Refusal) => {
    onRateLimited(refusal.limit);
    res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
    refuse(req, res, 429, { message: refusal.message, extensions: { code: 'RATE_LIMITED', retryAfterSeconds: refusal.retryAfterSeconds } });
  };
  return async (req, res, next) => {
    const ip = addressOf(req);
    let actor: Actor | null;
    try {
      // A key seen lately (or none) is known without a query: its request is counted in the same statement as the
      // address's (one round trip). Any other is looked up after the address is admitted, and counted then.
      const known = knownActorOfAuthorization(apiKeys, req.headers.authorization);
      const limited = limits && (await limits.admit(ip, known?.keyId ?? null));
      if (limited) return tooMany(req, res, limited);
      if (known !== undefined) actor = known;
      else {
        try {
          actor = await actorFromAuthorization(apiKeys, req.headers.authorization);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          // A failing guess from an address that has failed too often is refused as such; a valid key never is.
          const guessing = limits && (await limits.failedAuth(ip));
          if (guessing) return tooMany(req, res, guessing);
          return refuse(req, res, 401, { message: error.message, extensions: { code: error.code } });
        }
        const keyLimited = actor && limits && (await limits.key(actor.keyId));
        if (keyLimited) return tooMany(req, res, keyLimited);
      }
    } catch (error) {
      // The key not cached while the database is away (a restart): coded and retryable, as Apollo's own answers.
      if (isDatabaseUnavailable(error)) {
        res.setHeader('Retry-After', '1');
        return refuse(req, res, 503, {
          message: 'the database is unavailable; retry shortly',
          extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
        });
      }
      // Every connection busy past DB_CONNECT_TIMEOUT_MS: a timeout, as the same wait is during execution.
      if (isTimeout(error)) {
        res.setHeader('Retry-After', '1');
        return refuse(req, res, 503, { message: TIMEOUT_MESSAGE, extensions: { code: 'TIMEOUT' } });
      }
      return next(error);
    }
    actors.set(res, actor);
    const query = req.method === 'GET' ? queryParameter(req.url) : (req as { body?: { query?: unknown } }).body?.query;
    // Anything else (no query, a batch, a persisted-query hash) is Apollo's to refuse.
    if (typeof query !== 'string') return next();
    const cacheKey = `${actor ? 'k' : '-'}${query}`;
    if (accepted.has(cacheKey)) return next();
    try {
      const document = parseGuarded(query, { keyed: actor !== null });
      if (!actor && !isIntrospectionOnly(document)) {
        return refuse(req, res, 401, {
          message: 'send a valid key as "Authorization: Bearer <key>"; without one only introspection is answered',
          extensions: { code: 'UNAUTHENTICATED' },
        });
      }
    } catch (error) {
      if (!(error instanceof GraphQLError)) return next(error);
      const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
      return refuse(req, res, 400, { message: error.message, extensions });
    }
    if (accepted.size >= ACCEPTED_MAX) accepted.delete(accepted.keys().next().value as string);
    accepted.set(cacheKey, true);
    next();
  };
}

const turnsHeld = new WeakMap<ServerResponse, () => void>();

/**
 * The step after the guard: a request waits for its turn to run (turns.ts), at most `waitMs` (DB_CONNECT_TIMEOUT_MS,
 * as long as for a pooled connection), else 503 TIMEOUT. The turn is given back by endTurn once the request has been
 * executed: not when its answer has been sent (a client that does not read would keep it), nor when the client goes
 * (its statements still run).
 */
export function waitForTurn(turns: Turns, waitMs: number): Step {
  return (req, res, next) => {
    // A client that left before (while its key was checked, say) is owed nothing, not even a place in the queue;
    // one that leaves while it waits stops waiting (and counting as waiting) then, not when its turn would come.
    if (res.destroyed || req.socket.destroyed) return;
    turns
      .take(waitMs, (leave) => res.once('close', leave))
      .then(
        (giveBack) => {
          // A client that left while it waited is owed nothing.
          if (res.destroyed || req.socket.destroyed) return giveBack();
          turnsHeld.set(res, giveBack);
          next();
        },
        (error: unknown) => {
          if (error instanceof TurnAbandoned) return;
          if (error instanceof TurnTimeout) {
            res.setHeader('Retry-After', '1');
            return refuse(req, res, 503, { message: TIMEOUT_MESSAGE, extensions: { code: 'TIMEOUT' } });
          }
          // Shutdown: a request still waiting would keep the drain waiting behind the queue; another instance takes it.
          if (error instanceof TurnsClosed) {
            res.setHeader('Retry-After', '1');
            res.setHeader('Connection', 'close');
            return refuse(req, res, 503, {
              message: 'the server is shutting down; retry shortly',
              extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
            });
          }
          next(error);
        },
      );
  };
}

/** Gives back the turn of a request that has been executed (or failed); nothing if it held none. */
export function endTurn(res: ServerResponse): void {
  turnsHeld.get(res)?.();
  turnsHeld.delete(res);
}

/** The media type of an answer: the one the client prefers of GraphQL-over-HTTP's two, as Apollo negotiates. */
const answerType = (req: IncomingMessage): string =>
  (accepts(req).type(['application/graphql-response+json', 'application/json']) as string | false) || 'application/json';

/** Answers, before Apollo, with `error` in GraphQL's error shape and this status, in the media type asked for. */
export function answerError(req: IncomingMessage, res: ServerResponse, status: number, error: GraphQLFormattedError): void {
  res.statusCode = status;
  res.setHeader('Content-Type', `${answerType(req)}; charset=utf-8`);
  res.end(JSON.stringify({ errors: [error] }));
}

/**
 * A refusal by the guard. GraphQL-over-HTTP: a client that accepts only application/json gets 200 for a request
 * error; application/graphql-response+json gets the status.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: GraphQLFormattedError): void {
  // The request ends here, before Apollo: its log line takes the outcome from this.
  refusals.set(res, String(error.extensions?.code ?? 'ERROR'));
  const legacy = answerType(req) === 'application/json' && status === 400;
  answerError(req, res, legacy ? 200 : status, error);
}

/** On the context: whether Apollo answers this request in application/json (see legacyJsonPlugin). */
export const ANSWERS_PLAIN_JSON = Symbol('answers in application/json');

/** Codes of a well-formed request that failed: parse, validation, variable coercion. */
const REQUEST_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/** Whether Apollo will answer in application/json: it negotiates over this list, in this order. */
export const answersPlainJson = (req: IncomingMessage): boolean =>
  accepts(req).type(['application/json', 'application/graphql-response+json']) === 'application/json';

/**
 * GraphQL-over-HTTP: a response in application/json to a well-formed request is 200, whatever its errors (a
 * client of that media type reads the errors, not the status). Apollo answers 400 for a variable that does
 * not coerce; this turns it into 200 there, and leaves application/graphql-response+json its 400.
 */
export function legacyJsonPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart({ contextValue }) {
      if (!(contextValue as { [ANSWERS_PLAIN_JSON]?: boolean })[ANSWERS_PLAIN_JSON]) return;
      return {
        async willSendResponse({ response }) {
          if (response.http.status !== 400 || response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          // Only errors of a well-formed request; a malformed one (bad parameters: BAD_REQUEST) keeps its 400.
          if (errors.length > 0 && errors.every((error) => REQUEST_ERRORS.has(String(error.extensions?.code)))) {
            response.http.status = 200;
          }
        },
      };
    },
  };
}

/** No GraphQL answer may be cached: every one depends on the caller's key (what Apollo's cache control said, unasked). */
export function noStorePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}

/** Prices the operation Apollo resolved, with its variables (cost needs both). */
export function costPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operationName }) {
          checkCost(schema, document, operationName ?? undefined, request.variables ?? {});
        },
      };
    },
  };
}
