import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, InputType, Int } from 'type-graphql';
import { SyncDirection } from '../../domain/enums.js';

@InputType({ description: 'Changes to a retry policy; omitted fields keep their current (or default) value.' })
export class RetryPolicyInput {
  @Field(() => Int, { nullable: true, description: 'Attempts in all, from 1 to 100 (default 5).' })
  maxAttempts?: number | null;

  @Field(() => Int, { nullable: true, description: 'Seconds before the first retry (default 30).' })
  initialDelaySeconds?: number | null;

  @Field(() => Float, { nullable: true, description: 'Growth of the delay per attempt, from 1 to 10 (default 2).' })
  backoffFactor?: number | null;

  @Field(() => Int, { nullable: true, description: 'Longest delay in seconds (default 3600).' })
  maxDelaySeconds?: number | null;

  @Field(() => [String], { nullable: true, description: 'Error codes never retried automatically (default none).' })
  nonRetryableErrorCodes?: string[] | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Times a run that ended FAILED is re-run whole as a RETRY run linked to it, from 0 to 10 (default 0: never).',
  })
  maxRunReruns?: number | null;
}

@InputType({ description: 'A pipeline’s settings.' })
export class PipelineInput {
  @Field(() => String, { description: 'Human-readable name.' })
  name: string;

  @Field(() => String, { description: 'The system records come from.' })
  sourceSystem: string;

  @Field(() => String, { description: 'The system records are written to.' })
  targetSystem: string;

  @Field(() => SyncDirection, { nullable: true, description: 'Which side drives the sync (default PUSH).' })
  direction?: SyncDirection | null;

  @Field(() => String, { nullable: true, description: 'Owning tenant; a tenant-bound key can only use its own.' })
  tenantId?: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Free-form configuration, snapshotted into each run.' })
  config?: unknown;

  @Field(() => RetryPolicyInput, { nullable: true, description: 'Retry policy; defaults apply to what is omitted.' })
  retryPolicy?: RetryPolicyInput | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'How often the pipeline should succeed, in seconds (1 to 31622400, a year): with no success within twice this, its health is STALE. ' +
      'Omitted: no expectation on create, the current value on update; null clears it.',
  })
  expectedIntervalSeconds?: number | null;
}
