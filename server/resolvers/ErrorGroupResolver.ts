import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { ErrorGroupState } from '../domain/error-group.js';
import { actorOf, type Context } from '../graphql/context.js';
import type { ErrorGroupView } from '../services/analytics/error-group.service.js';
import { ErrorGroup } from './types/error-group.js';
import { DateRange, RecordFilter } from './types/filters.input.js';

const FINGERPRINT =
  'The group’s fingerprint, as ErrorGroup.fingerprint and SyncRecord.errorFingerprint show it (lowercase hexadecimal digits).';

@Resolver(() => ErrorGroup)
export class ErrorGroupResolver {
  @Authorized()
  @Query(() => [ErrorGroup], {
    description:
      'Failures grouped by fingerprint, REGRESSED groups first, then by count and last seen. Counts failed records (each once, by ' +
      'its original) that started in the range and match the filter.',
  })
  errorGroups(
    @Ctx() ctx: Context,
    @Arg('range', () => DateRange, { nullable: true, description: 'When the failures started (default: the last 7 days).' })
    range?: DateRange,
    @Arg('filter', () => RecordFilter, { nullable: true, description: 'Which records; the same meaning as in the records query.' })
    filter?: RecordFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: 'How many groups, from 1 to 500.' }) first:
      | number
      | null = 20,
    @Arg('states', () => [ErrorGroupState], { nullable: true, description: 'Only groups in these states (default: all).' })
    states?: ErrorGroupState[],
  ): Promise<ErrorGroupView[]> {
    return ctx.services.errorGroups.list(actorOf(ctx), { range, filter, first: first ?? 20, states });
  }

  @Authorized('operate')
  @Mutation(() => ErrorGroup, {
    description:
      'Marks an error group RESOLVED (who, when, the note) in the key’s tenant scope; resolving again replaces them. A failure with ' +
      'the fingerprint that starts afterwards makes it REGRESSED. NOT_FOUND when no failure with it is visible to the key. Audited. ' +
      'The group returned counts all retained history. OPERATOR.',
  })
  resolveErrorGroup(
    @Arg('fingerprint', () => String, { description: FINGERPRINT }) fingerprint: string,
    @Ctx() ctx: Context,
    @Arg('note', () => String, { nullable: true, description: 'What was done about it, up to 2,000 characters.' }) note?: string,
  ): Promise<ErrorGroupView> {
    return ctx.services.errorGroups.resolve(actorOf(ctx), fingerprint, note);
  }

  @Authorized('operate')
  @Mutation(() => ErrorGroup, {
    description:
      'Returns a RESOLVED or REGRESSED error group to OPEN, forgetting its resolution (the audit log keeps it). CONFLICT when it is ' +
      'already OPEN; NOT_FOUND when no failure with it is visible to the key. Audited. OPERATOR.',
  })
  reopenErrorGroup(
    @Arg('fingerprint', () => String, { description: FINGERPRINT }) fingerprint: string,
    @Ctx() ctx: Context,
  ): Promise<ErrorGroupView> {
    return ctx.services.errorGroups.reopen(actorOf(ctx), fingerprint);
  }
}
