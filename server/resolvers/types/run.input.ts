import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { RecordOperation, RecordStatus, RunStatus, SyncMode } from '../../domain/enums.js';

@InputType({ description: 'A run a worker starts itself (real-time and scheduled syncs).' })
export class StartRunInput {
  @Field(() => ID, { description: 'The pipeline the run belongs to.' })
  pipelineId: string;

  @Field(() => SyncMode, { description: 'How the run was started: REAL_TIME, MANUAL, SCHEDULED or ON_DEMAND.' })
  mode: SyncMode;

  @Field(() => String, { nullable: true, description: 'What kind of sync, e.g. "Pull updates".' })
  operationType?: string | null;

  @Field(() => String, { nullable: true, description: 'Who or what started it (default: the key’s name).' })
  triggeredBy?: string | null;

  @Field(() => String, { nullable: true, description: 'Your own id for the run, to find it again.' })
  correlationId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Records you expect to report, for progress.' })
  expectedTotal?: number | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The configuration used (default: the pipeline’s).' })
  configSnapshot?: unknown;

  @Field(() => Date, {
    nullable: true,
    description: 'When the run started, for importing or backfilling history (default: now; not in the future).',
  })
  startedAt?: Date | null;
}

@InputType({ description: 'One record of a reported batch. Re-reporting the same entity type and source id in a run updates it.' })
export class RecordReportInput {
  @Field(() => String, { description: 'Kind of entity, e.g. "Account".' })
  entityType: string;

  @Field(() => String, { description: 'The entity’s id in the source system.' })
  sourceId: string;

  @Field(() => String, { nullable: true, description: 'The entity’s id in the target system.' })
  targetId?: string | null;

  @Field(() => RecordOperation, { description: 'What the record does to the target.' })
  operation: RecordOperation;

  @Field(() => RecordStatus, { description: 'Outcome so far; RETRY_SCHEDULED, DEAD_LETTERED and DISCARDED are set by syncwatch only.' })
  status: RecordStatus;

  @Field(() => String, { nullable: true, description: 'Machine-readable error code of a failure.' })
  errorCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Error message of a failure; over 8 KiB it is stored truncated.' })
  errorMessage?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'false when a failure must not be retried automatically (default true).' })
  retryable?: boolean | null;

  @Field(() => Date, { nullable: true, description: 'When the attempt started (default: now).' })
  startedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the attempt ended.' })
  endedAt?: Date | null;

  @Field(() => Int, { nullable: true, description: 'Milliseconds the attempt took, not negative (default: endedAt − startedAt).' })
  latencyMs?: number | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Free-form details, up to 64 KiB of JSON.' })
  details?: unknown;
}

@InputType({ description: 'How a run ended.' })
export class FinishRunInput {
  @Field(() => RunStatus, {
    nullable: true,
    description:
      'Final status; omitted, it is COMPLETED_WITH_ERRORS when any record failed, else SUCCEEDED (CANCELLED for a CANCELLING run).',
  })
  status?: RunStatus | null;

  @Field(() => String, { nullable: true, description: 'Why the run failed, for FAILED or ROLLED_BACK.' })
  error?: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the run ended, for importing or backfilling history (default: now; not before startedAt).',
  })
  endedAt?: Date | null;
}
