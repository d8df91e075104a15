// Runs bound to the worker that holds them: the key that started or claimed a run, or a worker presenting the
// lease token startRun / claimRun handed out. Everyone else is refused heartbeat, reportRecords and finishRun.
import { createHash, randomBytes } from 'node:crypto';
import { type AppError, conflict, forbidden } from './errors.js';

/** A new lease token: 144 random bits, sent once (in the startRun or claimRun answer) and stored hashed. */
export const newLeaseToken = (): string => `lt_${randomBytes(18).toString('base64url')}`;

export const hashLeaseToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface HeldRun {
  id: string;
  holderKeyId: string | null;
  leaseTokenHash: string | null;
}

/**
 * Why this caller may not act on the run as its worker, or null when it may. A token, when given, must be the
 * run's (CONFLICT otherwise: another worker holds the run now). Without one, the caller's key must be the key
 * that started or claimed the run (FORBIDDEN otherwise). Runs from before holders were kept have none: any key.
 */
export function holderRefusal(run: HeldRun, keyId: string, leaseToken: string | null | undefined): AppError | null {
  if (leaseToken != null) {
    if (run.leaseTokenHash !== null && hashLeaseToken(leaseToken) === run.leaseTokenHash) return null;
    return conflict(`run ${run.id} is held by another worker: leaseToken is not the token of its current lease`);
  }
  if (run.holderKeyId === null || run.holderKeyId === keyId) return null;
  return forbidden(
    `run ${run.id} was started or claimed by another key: only that key, or a worker with the run's leaseToken, may heartbeat, report or finish it`,
  );
}
