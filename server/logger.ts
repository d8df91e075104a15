// Logs (pino), filtered by LOG_LEVEL: JSON, one object a line, or on a terminal one short line each (prettyLine).
// Callers keep a small interface: logger.info(msg, fields).
// Secrets never reach a line: the Authorization header and any `secret` field are redacted.
import pino from 'pino';
import type { LogFormat, LogLevel } from './config.js';

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

/** `write` takes each line instead of stdout; `pretty` turns the JSON lines into prettyLine's. */
export function createLogger(level: LogLevel, write?: (line: string) => void, format: LogFormat = 'json'): Logger {
  const options: pino.LoggerOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  const out = write ?? ((line: string) => void process.stdout.write(line));
  if (format === 'pretty') return wrap(pino(options, { write: (line: string) => out(prettyLine(line, colours())) }));
  return wrap(write ? pino(options, { write }) : pino(options));
}

/** Colours on a terminal that takes them (NO_COLOR unset, https://no-color.org). */
const colours = () => process.stdout.isTTY === true && !process.env.NO_COLOR;

/** What a pretty line leaves out: said by its beginning, or the same on every line. */
const IMPLIED = new Set(['level', 'time', 'msg', 'pid', 'hostname']);
const LEVEL_COLOUR: Record<string, string> = { warn: '33', error: '31', fatal: '31' };

/**
 * One JSON log line as a person at a terminal reads it: `12:04:05 WARN  message  key=value ...`, with the time of
 * day, the level coloured when `colour`, and an error's stack indented below. A line that is not JSON passes as is.
 */
export function prettyLine(json: string, colour = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json);
  } catch {
    return json;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const level = String(entry.level ?? '')
    .toUpperCase()
    .padEnd(5);
  const shown = colour && LEVEL_COLOUR[String(entry.level)] ? `\u001b[${LEVEL_COLOUR[String(entry.level)]}m${level}\u001b[0m` : level;
  let stack = '';
  const fields = Object.entries(entry)
    .filter(([key]) => !IMPLIED.has(key))
    .map(([key, value]) => {
      const error = value as { message?: unknown; stack?: unknown } | null;
      if (error && typeof error === 'object' && typeof error.stack === 'string') {
        stack += `\n    ${error.stack.split('\n').join('\n    ')}`;
        return `${key}=${JSON.stringify(error.message ?? '')}`;
      }
      return `${key}=${typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value)}`;
    });
  const head = `${time} ${shown} ${String(entry.msg ?? '')}`;
  return `${fields.length > 0 ? `${head}  ${fields.join(' ')}` : head}${stack}\n`;
}
