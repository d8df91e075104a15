import { Field, ID, ObjectType } from 'type-graphql';
import { RunStatus, WorkerCommandType } from '../../domain/enums.js';
import { SyncRecord } from '../../entities/SyncRecord.js';
import { SyncRun } from '../../entities/SyncRun.js';

@ObjectType({ description: 'A run was created or changed status, counts or lease.' })
export class RunEvent {
  @Field(() => String, {
    description: 'Position of this event in the stream; pass it as `since` to resume after it. Opaque.',
  })
  cursor: string;

  @Field(() => SyncRun, { description: 'The run as it is now (re-read when the event is sent).' })
  run: SyncRun;

  @Field(() => RunStatus, { nullable: true, description: 'The status before a status change; null for other changes.' })
  previousStatus: RunStatus | null;
}

@ObjectType({ description: 'Records reported in one batch: one event per batch, never one per record.' })
export class RecordBatchEvent {
  @Field(() => String, {
    description: 'Position of this event in the stream; pass it as `since` to resume after it. Opaque.',
  })
  cursor: string;

  @Field(() => ID, { description: 'The run the batch was reported into.' })
  runId: string;

  @Field(() => [SyncRecord], { description: 'The records of the batch that match the subscription’s filter, as they are now.' })
  records: SyncRecord[];
}

@ObjectType({ description: 'Work for the pipeline’s workers.' })
export class WorkerCommand {
  @Field(() => WorkerCommandType, {
    description: 'RUN_QUEUED: a run waits to be claimed with claimRun. CANCEL_RUN: stop the run and finish it.',
  })
  type: WorkerCommandType;

  @Field(() => ID, { description: 'The run concerned.' })
  runId: string;
}
