import { Arg, Authorized, Ctx, Int, Mutation, Resolver } from 'type-graphql';
import { actorOf, type Context } from '../graphql/context.js';
import { PurgeResult } from './types/results.js';

@Resolver()
export class HousekeepingResolver {
  @Authorized('admin')
  @Mutation(() => PurgeResult, {
    description:
      'Deletes finished runs that ended more than olderThanDays ago, with their records, attempts and events; recorded as a CLEANUP run per pipeline. Active runs are kept. ADMIN.',
  })
  purgeHistory(
    @Arg('olderThanDays', () => Int, { description: 'Age in days, at least 1.' }) olderThanDays: number,
    @Ctx() ctx: Context,
  ): Promise<PurgeResult> {
    return ctx.services.retention.purge(actorOf(ctx), olderThanDays);
  }
}
