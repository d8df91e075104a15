// JSON logs (pino), one object a line, filtered by LOG_LEVEL. Callers keep a small interface: logger.info(msg, fields).
// Secrets never reach a line: the Authorization header and any `secret` field are redacted.
import pino from 'pino';
import type { LogLevel } from './config.js';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines all carry these fields. */
  child(fields: Record<string, unknown>): Logger;
  /** The pino logger underneath (for the request log, http/request-log.ts). */
  pino: pino.Logger;
}

export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'secret',
  '*.secret',
  'connectionParams',
  '*.connectionParams',
];

function wrap(base: pino.Logger): Logger {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) =>
    fields ? base[level](fields, msg) : base[level](msg);
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => wrap(base.child(fields)),
    pino: base,
  };
}

export function createLogger(level: LogLevel, write?: (line: string) => void): Logger {
  const options: pino.LoggerOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  return wrap(write ? pino(options, { write }) : pino(options));
}
