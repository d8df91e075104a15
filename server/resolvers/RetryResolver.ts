import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { actorOf, type Context } from '../graphql/context.js';
import { RecordFilter } from './types/filters.input.js';
import { DiscardResult, RetryResult } from './types/results.js';

/** Operators fixing failures: retries, replays and discards. Give records as ids, a filter, or both (AND). */
@Resolver()
export class RetryResolver {
  @Authorized('operate')
  @Mutation(() => RetryResult, {
    description:
      'Queues another attempt of failed records (FAILED, EXTRACTION_FAILED, PARTIALLY_FAILED, DEAD_LETTERED), non-retryable ones included, in one RETRY run per pipeline. Scheduled and succeeded records are skipped. OPERATOR.',
  })
  retryRecords(
    @Ctx() ctx: Context,
    @Arg('ids', () => [ID], {
      nullable: true,
      description: 'The records, at most 1,000 (select more by filter); unknown ids are NOT_FOUND.',
    })
    ids?: string[],
    @Arg('filter', () => RecordFilter, { nullable: true, description: 'The records, as in the records query.' }) filter?: RecordFilter,
    @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false, description: 'Only count: change nothing.' })
    dryRun?: boolean | null,
    @Arg('reason', () => String, {
      nullable: true,
      description: 'Why the records are retried, kept with the action in the audit log (at most 2,000 characters).',
    })
    reason?: string | null,
  ): Promise<RetryResult> {
    return ctx.services.retries.retryRecords(actorOf(ctx), { ids, filter }, dryRun ?? false, reason);
  }

  @Authorized('operate')
  @Mutation(() => RetryResult, { description: 'Queues another attempt of every failure of a run. OPERATOR.' })
  retryRun(@Arg('runId', () => ID, { description: 'The run.' }) runId: string, @Ctx() ctx: Context): Promise<RetryResult> {
    return ctx.services.retries.retryRun(actorOf(ctx), runId);
  }

  @Authorized('operate')
  @Mutation(() => RetryResult, { description: 'Queues another attempt of dead-lettered records. OPERATOR.' })
  replayDeadLetters(
    @Ctx() ctx: Context,
    @Arg('ids', () => [ID], {
      nullable: true,
      description: 'The records, at most 1,000 (select more by filter); unknown ids are NOT_FOUND.',
    })
    ids?: string[],
    @Arg('filter', () => RecordFilter, { nullable: true, description: 'The records, as in the records query.' }) filter?: RecordFilter,
  ): Promise<RetryResult> {
    return ctx.services.retries.replayDeadLetters(actorOf(ctx), { ids, filter });
  }

  @Authorized('operate')
  @Mutation(() => DiscardResult, { description: 'Closes dead-lettered records as DISCARDED, without another attempt. OPERATOR.' })
  discardDeadLetters(
    @Ctx() ctx: Context,
    @Arg('ids', () => [ID], {
      nullable: true,
      description: 'The records, at most 1,000 (select more by filter); unknown ids are NOT_FOUND.',
    })
    ids?: string[],
    @Arg('filter', () => RecordFilter, { nullable: true, description: 'The records, as in the records query.' }) filter?: RecordFilter,
  ): Promise<DiscardResult> {
    return ctx.services.retries.discardDeadLetters(actorOf(ctx), { ids, filter });
  }
}
