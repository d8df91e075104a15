import { Field, Float, Int, ObjectType } from 'type-graphql';
import { PipelineHealthStatus } from '../../domain/pipeline-health.js';

@ObjectType({
  description:
    'Whether a pipeline does its job now, from its runs (CLEANUP runs aside). FAILING when its last finished run (cancelled ones aside) ' +
    'FAILED or was ROLLED_BACK; STALE when it has an expected interval and no run completed within twice that (counted from its ' +
    'creation when none ever did); DEGRADED when at least 10 % of the records of its runs started in the last 24 hours failed, or ' +
    'dead letters wait; IDLE when it has never run; otherwise HEALTHY. When several hold, the first in that order wins (FAILING, ' +
    'STALE, DEGRADED, IDLE) and `reason` names it first, then the others. Read when selected: a `runUpdated` subscriber selecting ' +
    'run { pipeline { health } } gets it as of the delivery.',
})
export class PipelineHealth {
  @Field(() => PipelineHealthStatus, { description: 'The verdict; the precedence is in the type’s description.' })
  status: PipelineHealthStatus;

  @Field(() => String, {
    nullable: true,
    description: 'Why, in words, e.g. "last run failed 12 minutes ago: worker lost: lease expired"; for HEALTHY, the last success.',
  })
  reason: string | null;

  @Field(() => Date, { nullable: true, description: 'When its latest run started; null when none ever did.' })
  lastRunAt: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When its latest completed run (SUCCEEDED or COMPLETED_WITH_ERRORS) ended; null when none ever did.',
  })
  lastSuccessAt: Date | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Failed records / records of its runs started in the last 24 hours, a fraction from 0 to 1, each record in its current state ' +
      '(a failure retried successfully no longer counts); null when those runs hold no record.',
  })
  errorRate24h: number | null;

  @Field(() => Int, { description: 'Records waiting as DEAD_LETTERED for an operator to replay or discard them.' })
  deadLetters: number;
}
