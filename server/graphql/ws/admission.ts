// Who may hold a socket on /graphql: the key in `connection_init` (accepted, or closed with its close code), how many
// sockets one key may hold here, and the sockets of a key revoked anywhere, closed at once (NOTIFY) or, as the
// backstop, within one periodic check. The protocol's hooks (what a subscription may be) are in server.ts.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { type Actor, can } from '../../domain/actor.js';
import { AppError } from '../../domain/errors.js';
import { actorFromAuthorization } from '../../http/auth.js';
import type { Logger } from '../../logger.js';
import { CLOSE } from '../../sdk/close-codes.js';
import type { Services } from '../../services/index.js';
import type { Refusal } from '../rate-limits.js';

export interface AdmissionOptions {
  services: Services;
  logger: Logger;
  /** Sockets one key may hold open here; one more is closed with CLOSE.TOO_MANY_SOCKETS. */
  maxSocketsPerKey: number;
  /** How often open sockets' keys are checked for revocation. */
  keyCheckMs?: number;
  /**
   * Counts a bad key from the upgrade request's address (the HTTP door's counter); a refusal once the address has
   * failed too often, and the socket is closed with CLOSE.TOO_MANY_FAILED_AUTH. A valid key is never counted here.
   */
  failedAuth?: (request: IncomingMessage) => Promise<Refusal | null>;
}

export function createAdmission(options: AdmissionOptions) {
  const { services, logger } = options;
  const socketsByKey = new Map<string, Set<WebSocket>>();

  const closeAll = (keyId: string) => {
    for (const socket of socketsByKey.get(keyId) ?? []) socket.close(CLOSE.REVOKED.code, CLOSE.REVOKED.reason);
    socketsByKey.delete(keyId);
  };
  const stopRevocations = services.apiKeys.onRevoked(closeAll);
  const keyCheck = setInterval(async () => {
    for (const keyId of [...socketsByKey.keys()]) {
      try {
        if (await services.apiKeys.isActive(keyId)) continue;
      } catch (error) {
        logger.warn('checking a subscriber key failed', { error: String(error) });
        continue;
      }
      closeAll(keyId);
    }
  }, options.keyCheckMs ?? 5_000);

  return {
    /**
     * The actor of the socket's `connection_init` authorization, or null once the socket has been closed with the
     * code that says why (unknown key, too many failed keys from the address, a role that may not read, too many
     * sockets for the key).
     */
    async admit(socket: WebSocket, request: IncomingMessage, connectionParams: Record<string, unknown> | undefined): Promise<Actor | null> {
      const params = connectionParams ?? {};
      const header = params.authorization ?? params.Authorization;
      let actor: Actor | null = null;
      try {
        actor = await actorFromAuthorization(services.apiKeys, typeof header === 'string' ? header : null);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // A bad key is a guess: counted against the address, as over HTTP, and refused as such once it is over.
        if (await options.failedAuth?.(request)) {
          socket.close(CLOSE.TOO_MANY_FAILED_AUTH.code, CLOSE.TOO_MANY_FAILED_AUTH.reason);
          return null;
        }
      }
      if (!actor) {
        socket.close(CLOSE.UNAUTHORIZED.code, CLOSE.UNAUTHORIZED.reason);
        return null;
      }
      if (!can(actor, 'read')) {
        socket.close(CLOSE.FORBIDDEN.code, CLOSE.FORBIDDEN.reason);
        return null;
      }
      const sockets = socketsByKey.get(actor.keyId) ?? new Set();
      if (sockets.size >= options.maxSocketsPerKey) {
        socket.close(CLOSE.TOO_MANY_SOCKETS.code, CLOSE.TOO_MANY_SOCKETS.reason);
        return null;
      }
      const { keyId } = actor;
      sockets.add(socket);
      socketsByKey.set(keyId, sockets);
      socket.once('close', () => {
        sockets.delete(socket);
        if (sockets.size === 0 && socketsByKey.get(keyId) === sockets) socketsByKey.delete(keyId);
      });
      return actor;
    },

    dispose(): void {
      clearInterval(keyCheck);
      stopRevocations();
    },
  };
}
