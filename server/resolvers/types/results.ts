import { Field, Int, ObjectType } from 'type-graphql';
import { ApiKey } from '../../entities/ApiKey.js';
import { SyncRun } from '../../entities/SyncRun.js';

@ObjectType({ description: 'A new API key with its secret, shown this once: syncwatch stores only a hash.' })
export class CreatedApiKey {
  @Field(() => ApiKey, { description: 'The key.' })
  key: ApiKey;

  @Field(() => String, { description: 'The secret, for Authorization: Bearer <secret>. It cannot be shown again.' })
  secret: string;
}

@ObjectType({ description: 'A record of a batch that was not accepted.' })
export class RejectedRecord {
  @Field(() => Int, { description: 'Position of the record in the reported list, from 0.' })
  index: number;

  @Field(() => String, { description: 'What was wrong with it.' })
  reason: string;
}

@ObjectType({ description: 'What reportRecords did with a batch.' })
export class ReportResult {
  @Field(() => Int, { description: 'Records stored.' })
  accepted: number;

  @Field(() => [RejectedRecord], { description: 'Records refused, by index, with the reason; the others were stored.' })
  rejected: RejectedRecord[];

  @Field(() => SyncRun, { description: 'The run after the batch, with its counts and renewed lease.' })
  run: SyncRun;
}

@ObjectType({ description: 'Answer to a worker’s heartbeat.' })
export class HeartbeatResult {
  @Field(() => Boolean, { description: 'true when the run is CANCELLING: stop, then finish the run (it ends CANCELLED).' })
  cancelRequested: boolean;

  @Field(() => Date, { description: 'When the renewed lease ends.' })
  leaseExpiresAt: Date;
}

@ObjectType({ description: 'What a retry or replay did, like "retry all" in queue dashboards.' })
export class RetryResult {
  @Field(() => Int, { description: 'Records the ids or filter matched.' })
  matched: number;

  @Field(() => Int, { description: 'Records queued for another attempt (with dryRun: that would be).' })
  scheduled: number;

  @Field(() => Int, { description: 'Matched records left alone: already scheduled, succeeded, or otherwise not retryable now.' })
  skipped: number;

  @Field(() => SyncRun, {
    nullable: true,
    description:
      'The QUEUED RETRY run holding the new attempts (the first one when the records span several pipelines); null on dryRun or when nothing was scheduled.',
  })
  retryRun: SyncRun | null;
}

@ObjectType({ description: 'What discardDeadLetters did.' })
export class DiscardResult {
  @Field(() => Int, { description: 'Dead letters closed as DISCARDED.' })
  discarded: number;
}

@ObjectType({ description: 'What purgeHistory removed.' })
export class PurgeResult {
  @Field(() => Int, { description: 'Finished runs deleted.' })
  runsDeleted: number;

  @Field(() => Int, { description: 'Records deleted with them (their attempts and events went too).' })
  recordsDeleted: number;
}
