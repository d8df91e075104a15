// Exit codes a script can act on, and the one-line error the command prints for each failure.
import { SyncwatchError } from '../sdk/graphql-client.js';

export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  DECLINED: 3,
  AUTH: 4,
  RUN_FAILED: 5,
  PARTIAL: 6,
  NOT_FOUND: 7,
} as const;

export const EXIT_HELP = `Exit codes:
  0  ok (an empty result included)
  1  error (the server's code and message are printed)
  2  usage: unknown command or flag, bad value, or a confirmation needed without a terminal (pass --yes)
  3  declined at the y/N prompt: nothing changed
  4  authentication or permission (UNAUTHENTICATED, FORBIDDEN, no key)
  5  the watched run did not succeed (FAILED, COMPLETED_WITH_ERRORS, CANCELLED, ROLLED_BACK)
  6  a bulk action did less than its dry run counted
  7  not found (NOT_FOUND, or no such run)`;

/** A failure with the exit code it ends the command with; `code` is the server's extensions.code when it has one. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usage = (message: string) => new CliError(message, EXIT.USAGE, 'USAGE');

const AUTH_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'HTTP_401', 'HTTP_403']);

export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof SyncwatchError) {
    if (AUTH_CODES.has(error.code)) return EXIT.AUTH;
    if (error.code === 'NOT_FOUND') return EXIT.NOT_FOUND;
    if (error.code === 'BAD_USER_INPUT') return EXIT.USAGE;
  }
  return EXIT.ERROR;
}

/** One line: `error: CODE: message`, with the key (when known) blanked out of anything the server echoed. */
export function errorLine(error: unknown, secret?: string): string {
  const code = error instanceof CliError || error instanceof SyncwatchError ? error.code : undefined;
  const message = (error as Error)?.message ?? String(error);
  const line = `error: ${code ? `${code}: ` : ''}${message.replace(/\s*\n\s*/g, ' ')}`;
  return secret ? line.split(secret).join('***') : line;
}
