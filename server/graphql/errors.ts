// Every error a client sees carries extensions.code; internal failures are logged, not leaked.
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { AppError } from '../domain/errors.js';
import type { Logger } from '../logger.js';

// Validation failures about a value (a bad enum, a malformed DateTime) are bad input, like coercion failures.
const VALUE_ERROR =
  /^(Expected value of type|Enum "[^"]+" cannot represent|Value "[^"]*" does not exist|\w+ cannot represent|Field "[^"]+" of required type|Argument "[^"]+" of required type)/;

// The database away (restarting, unreachable, refusing connections): a coded, retryable error, not an internal one.
// Class 08 is connection trouble, except 08P01: a protocol violation is a statement of ours the server refused (e.g.
// more than 65,535 parameters), which no retry mends.
const PROTOCOL_VIOLATION = '08P01';
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let e = error as { code?: string; driverError?: unknown; message?: string; name?: string } | undefined, depth = 0;
    e && depth < 3;
    depth++
  ) {
    // TypeORM's words for a transaction whose connection broke under it: nothing was committed.
    if (/^QueryRunner(Provider)?AlreadyReleasedError$/.test(String(e.name))) return true;
    if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || (e.code.startsWith('08') && e.code !== PROTOCOL_VIOLATION)))
      return true;
    if (/Connection terminated|Client has encountered a connection error/.test(String(e.message))) {
      return true;
    }
    e = e.driverError as typeof e;
  }
  return false;
}

/**
 * A statement cancelled by statement_timeout or lock_timeout (SQLSTATE 57014, 55P03), a query that did not answer
 * in time, or a wait for one of the pool's connections, all busy, past DB_CONNECT_TIMEOUT_MS (pg-pool's "timeout
 * exceeded when trying to connect"; a new connection that cannot be made in time is "Connection terminated due to
 * connection timeout", unavailability): the request may succeed later, or with less asked.
 */
/** What a request that ran out of time is told (no database text). */
export const TIMEOUT_MESSAGE = 'the database did not answer in time; try again, or ask for less';

export function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const sqlState = (error as { code?: unknown }).code;
  if (sqlState === '57014' || sqlState === '55P03') return true;
  return /Query read timeout|timeout exceeded when trying to connect/.test(error.message);
}

export function createFormatError(logger: Logger) {
  return (withHttp: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // extensions.http is the HTTP status hint (Apollo drops it); over WebSocket it would leak as is.
    const { http: _http, ...rest } = withHttp.extensions ?? {};
    const formatted = withHttp.extensions ? { ...withHttp, extensions: rest } : withHttp;
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      return { ...formatted, message: original.message, extensions: { ...original.details, code: original.code } };
    }
    const code = formatted.extensions?.code;
    if (code === ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED && VALUE_ERROR.test(formatted.message)) {
      return { ...formatted, extensions: { ...formatted.extensions, code: ApolloServerErrorCode.BAD_USER_INPUT } };
    }
    if (isTimeout(original)) {
      logger.warn('database timeout', { error: String((original as Error)?.message ?? original), path: formatted.path });
      return {
        message: TIMEOUT_MESSAGE,
        path: formatted.path,
        extensions: { code: 'TIMEOUT' },
      };
    }
    // Apollo codes a resolver's failure INTERNAL_SERVER_ERROR; graphql-ws leaves it without a code.
    if ((code === ApolloServerErrorCode.INTERNAL_SERVER_ERROR || code === undefined) && isDatabaseUnavailable(original)) {
      logger.warn('database unavailable', { error: String((original as Error)?.message ?? original), path: formatted.path });
      return {
        message: 'the database is unavailable; retry shortly',
        path: formatted.path,
        extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
      };
    }
    if (code === ApolloServerErrorCode.INTERNAL_SERVER_ERROR) {
      logger.error('unexpected error', { error: String((original as Error)?.stack ?? original), path: formatted.path });
      return { message: 'internal server error', path: formatted.path, extensions: { code } };
    }
    return formatted;
  };
}
