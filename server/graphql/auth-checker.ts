import type { AuthChecker } from 'type-graphql';
import { can, type Permission } from '../domain/actor.js';
import { forbidden, unauthenticated } from '../domain/errors.js';
import type { Context } from './context.js';

/**
 * `@Authorized('operate')` names the permission a field needs (see PERMISSIONS);
 * `@Authorized()` only needs a valid key.
 */
export const authChecker: AuthChecker<Context, Permission> = ({ context }, permissions) => {
  const actor = context.actor;
  if (!actor) throw unauthenticated('send a valid API key as "Authorization: Bearer <key>"');
  const denied = permissions.find((permission) => !can(actor, permission));
  if (denied) throw forbidden(`role ${actor.role} may not do this (needs ${denied} permission)`);
  return true;
};
