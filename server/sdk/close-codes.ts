// Part of the SDK (it imports nothing from the server), so that workers and the dashboard share it.
// Every close code the GraphQL WebSocket (/graphql, graphql-transport-ws) ends a socket with, its
// reason, and what a client should do next. No imports: the dashboard and the SDK import the meaning
// from here rather than repeat the numbers.
//
// graphql-ws reserves 4400, 4401, 4403, 4406, 4408, 4409, 4429, 4500, 4504, 4004 and 4005; its client
// gives up for good after 4400, 4401, 4406, 4409, 4429, 4500. syncwatch's own codes are 4460 and up,
// and a client that sees one keeps retrying (with backoff) unless `next` says otherwise.

/** What a client should do after a close. */
export type AfterClose =
  /** Reconnect (to this or another instance) and resubscribe with `since: <last cursor>`. */
  | 'resume'
  /** Reconnect later, with backoff: the server refused for now. */
  | 'wait'
  /** Do not reconnect with the same key or message: fix it first. */
  | 'fix';

export interface CloseMeaning {
  code: number;
  reason: string;
  next: AfterClose;
}

export const CLOSE = {
  /** Missing, malformed, unknown or revoked API key (graphql-ws's Unauthorized). */
  UNAUTHORIZED: { code: 4401, reason: 'Unauthorized: send a valid key as { authorization: "Bearer <key>" }', next: 'fix' },
  /** The key was revoked while the socket was open. */
  REVOKED: { code: 4401, reason: 'Unauthorized: the API key was revoked', next: 'fix' },
  /** The key's role may not subscribe (graphql-ws's Forbidden). */
  FORBIDDEN: { code: 4403, reason: 'Forbidden: this role may not subscribe', next: 'fix' },
  /** The subscriber did not read fast enough: its buffer of unsent events overflowed. */
  SLOW_READER: { code: 4460, reason: 'subscriber too slow: resume with since', next: 'resume' },
  /** The key already has as many sockets open on this instance as it may (WS_MAX_SOCKETS_PER_KEY). */
  TOO_MANY_SOCKETS: { code: 4461, reason: 'too many sockets for this key: close one, or share one socket', next: 'wait' },
  /**
   * A bad key from an address that has sent too many bad keys this minute (RATE_LIMIT_FAILED_AUTH). A valid key
   * from the same address is still accepted.
   */
  TOO_MANY_FAILED_AUTH: {
    code: 4462,
    reason: 'too many failed authentications from this address: send a valid key',
    next: 'fix',
  },
  /** A message larger than the body limit (MAX_BODY_BYTES); set by `ws`. */
  MESSAGE_TOO_BIG: { code: 1009, reason: 'message too big', next: 'fix' },
  /** The server is shutting down. */
  GOING_AWAY: { code: 1001, reason: 'server going away: resume with since', next: 'resume' },
} as const satisfies Record<string, CloseMeaning>;

/** The meaning of a close code (the first entry with that code), or null for one syncwatch does not send. */
export function closeMeaning(code: number): CloseMeaning | null {
  return Object.values(CLOSE).find((entry) => entry.code === code) ?? null;
}
