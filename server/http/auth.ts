import type { Actor } from '../domain/actor.js';
import { unauthenticated } from '../domain/errors.js';
import type { ApiKeyService } from '../services/api-key.service.js';

/** The actor of an `Authorization: Bearer <key>` value; null without one, UNAUTHENTICATED for a bad one. */
export async function actorFromAuthorization(apiKeys: ApiKeyService, header: string | undefined | null): Promise<Actor | null> {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <key>"');
  const actor = await apiKeys.authenticate(match[1]);
  if (!actor) throw unauthenticated('the API key is unknown or revoked');
  return actor;
}
