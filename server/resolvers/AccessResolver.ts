import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { ApiKey } from '../entities/ApiKey.js';
import { actorOf, type Context } from '../graphql/context.js';
import { ApiKeyInput } from './types/api-key.input.js';
import { AuditConnection } from './types/connections.js';
import { CreatedApiKey } from './types/results.js';

/** Keys, the caller's identity and the audit log. */
@Resolver()
export class AccessResolver {
  @Authorized()
  @Query(() => ApiKey, { description: 'The key this request is made with.' })
  me(@Ctx() ctx: Context): ApiKey {
    const actor = actorOf(ctx);
    return Object.assign(new ApiKey(), { id: actor.keyId, name: actor.name, role: actor.role, tenantId: actor.tenantId });
  }

  @Authorized('admin')
  @Query(() => [ApiKey], {
    description: 'The keys not revoked, oldest first, without their secrets (a tenant-bound admin: its tenant’s). ADMIN.',
  })
  apiKeys(@Ctx() ctx: Context): Promise<ApiKey[]> {
    return ctx.services.apiKeys.list(actorOf(ctx));
  }

  @Authorized()
  @Query(() => AuditConnection, { description: 'Who did what, newest first; a tenant-bound key sees its tenant’s entries.' })
  async auditLog(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: 'Page size, from 1 to 500.' }) first: number | null = 50,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after?: string,
  ): Promise<AuditConnection> {
    const page = await ctx.services.audit.list(actorOf(ctx), first ?? 50, after);
    return { edges: page.items, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('admin')
  @Mutation(() => CreatedApiKey, { description: 'Creates an API key and returns its secret once. ADMIN.' })
  createApiKey(
    @Arg('input', () => ApiKeyInput, { description: 'The key.' }) input: ApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<CreatedApiKey> {
    return ctx.services.apiKeys.create(actorOf(ctx), input);
  }

  @Authorized('admin')
  @Mutation(() => Boolean, { description: 'Revokes a key at once; false when it was already revoked. ADMIN.' })
  revokeApiKey(@Arg('id', () => ID, { description: 'The key’s id.' }) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.apiKeys.revoke(actorOf(ctx), id);
  }
}
