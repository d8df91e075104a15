import type { Actor } from '../domain/actor.js';
import { unauthenticated } from '../domain/errors.js';
import type { ApiKeyService } from '../services/access/api-key.service.js';

/** The key of an `Authorization: Bearer <key>` value; null when the value has another shape. */
const bearerSecret = (header: string): string | null => /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null;

/** The actor of an `Authorization: Bearer <key>` value; null without one, UNAUTHENTICATED for a bad one. */
export async function actorFromAuthorization(apiKeys: ApiKeyService, header: string | undefined | null): Promise<Actor | null> {
  if (!header) return null;
  const secret = bearerSecret(header);
  if (secret === null) throw unauthenticated('the Authorization header must be "Bearer <key>"');
  const actor = await apiKeys.authenticate(secret);
  if (!actor) throw unauthenticated('the API key is unknown or revoked');
  return actor;
}

/**
 * What actorFromAuthorization answers when it is known without a query: null without a header, the actor of a
 * key authenticated recently (cached). Undefined otherwise: ask actorFromAuthorization (the key may be bad, or
 * not seen lately).
 */
export function knownActorOfAuthorization(apiKeys: ApiKeyService, header: string | undefined | null): Actor | null | undefined {
  if (!header) return null;
  const secret = bearerSecret(header);
  return (secret !== null && apiKeys.knownActor(secret)) || undefined;
}
