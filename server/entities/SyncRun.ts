import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { RunStatus, SyncMode } from '../domain/enums.js';

@ObjectType({ description: 'Records of a run by outcome. Always the current state of its records, retries included.' })
export class RunCounts {
  @Field(() => Int, { description: 'Records reported in the run.' })
  @Column({ name: 'count_total', type: 'integer', default: 0 })
  total: number;

  @Field(() => Int, { description: 'Records that created an entity in the target successfully.' })
  @Column({ name: 'count_created', type: 'integer', default: 0 })
  created: number;

  @Field(() => Int, { description: 'Records that updated an entity in the target successfully.' })
  @Column({ name: 'count_updated', type: 'integer', default: 0 })
  updated: number;

  @Field(() => Int, { description: 'Records that deleted an entity in the target successfully.' })
  @Column({ name: 'count_deleted', type: 'integer', default: 0 })
  deleted: number;

  @Field(() => Int, { description: 'Records skipped or cancelled.' })
  @Column({ name: 'count_skipped', type: 'integer', default: 0 })
  skipped: number;

  @Field(() => Int, { description: 'Records synced: SUCCESS or PARTIAL_SUCCESS.' })
  @Column({ name: 'count_succeeded', type: 'integer', default: 0 })
  succeeded: number;

  @Field(() => Int, { description: 'Records failed: failed, partially failed, in a retry run, dead-lettered or discarded.' })
  @Column({ name: 'count_failed', type: 'integer', default: 0 })
  failed: number;

  @Field(() => Int, { description: 'Records not finished yet: pending, extracting or in progress.' })
  @Column({ name: 'count_pending', type: 'integer', default: 0 })
  pending: number;
}

@ObjectType('SyncRun', { description: 'One sync session of a pipeline.' })
@Entity('runs')
export class SyncRun {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'pipeline_id', type: 'uuid' })
  pipelineId: string;

  @Field(() => String, { nullable: true, description: 'Tenant of the run’s pipeline.' })
  @Column({ name: 'tenant_id', type: 'text', nullable: true })
  tenantId: string | null;

  @Field(() => SyncMode, { description: 'How the run was started.' })
  @Column({ type: 'enum', enum: SyncMode, enumName: 'sync_mode' })
  mode: SyncMode;

  @Field(() => String, { nullable: true, description: 'What kind of sync, as the pipeline names it, e.g. "Pull updates".' })
  @Column({ name: 'operation_type', type: 'text', nullable: true })
  operationType: string | null;

  @Field(() => RunStatus, { description: 'Where the run is in its lifecycle.' })
  @Column({ type: 'enum', enum: RunStatus, enumName: 'run_status' })
  status: RunStatus;

  @Field(() => String, { nullable: true, description: 'Who or what started the run (a person, a schedule, a key).' })
  @Column({ name: 'triggered_by', type: 'text', nullable: true })
  triggeredBy: string | null;

  @Field(() => String, { nullable: true, description: 'The caller’s own id for the run, to find it again.' })
  @Column({ name: 'correlation_id', type: 'text', nullable: true })
  correlationId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When a worker started the run; null while queued.' })
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the run ended; null while it is active.' })
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'Records the worker expects to report, for progress; null when unknown.' })
  @Column({ name: 'expected_total', type: 'integer', nullable: true })
  expectedTotal: number | null;

  @Field(() => RunCounts, { description: 'Records of the run by outcome.' })
  @Column(() => RunCounts, { prefix: false })
  counts: RunCounts;

  @Field(() => String, { nullable: true, description: 'Why the run failed or was cancelled.' })
  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the worker’s lease ends unless renewed by heartbeat or reportRecords; set while RUNNING or CANCELLING.',
  })
  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId: string | null;

  /** The key that started or claimed the run: it may heartbeat, report and finish it without the lease token. */
  @Column({ name: 'holder_key_id', type: 'uuid', nullable: true })
  holderKeyId: string | null;

  /** SHA-256 of the lease token handed out by startRun or claimRun. */
  @Column({ name: 'lease_token_hash', type: 'text', nullable: true })
  leaseTokenHash: string | null;

  /** Set only on the run startRun or claimRun returns (never stored in clear). */
  @Field(() => String, {
    nullable: true,
    description:
      'The lease token of the worker that holds the run: returned only by the startRun or claimRun that granted the lease (null everywhere else). Pass it to heartbeat, reportRecords and finishRun; another worker’s token is refused.',
  })
  leaseToken?: string | null;

  @Column({ name: 'retry_of', type: 'uuid', nullable: true })
  retryOfId: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Which re-run of a failed session this RETRY run is (1 for the first), when the pipeline’s retryPolicy.maxRunReruns re-ran a run ' +
      'that ended FAILED; retryOf is the run it repeats. Such a run has no records to re-attempt: its worker does the whole session ' +
      'again. null for every other run.',
  })
  @Column({ type: 'integer', nullable: true })
  rerun: number | null;

  /** When the run's last progress event was written (see RunProgress). */
  @Column({ name: 'progress_event_at', type: 'timestamptz', nullable: true })
  progressEventAt: Date | null;

  /** Counts moved since the last progress event: a trailing one is owed, unless a status event settles it. */
  @Column({ name: 'progress_pending', type: 'boolean', default: false })
  progressPending: boolean;

  // Kept by the database as records arrive (the records_rollup_insert trigger); never written from here.
  @Field(() => [String], { description: 'The entity types the run moved (seed 002’s "Object" column), sorted; empty until it reports.' })
  @Column({ name: 'entity_types', type: 'text', array: true, default: () => "'{}'", insert: false, update: false })
  entityTypes: string[];

  @Field(() => GraphQLJSON, { nullable: true, description: 'The pipeline configuration the run used.' })
  @Column({ name: 'config_snapshot', type: 'jsonb', nullable: true })
  configSnapshot: unknown;

  @Field(() => Int, { nullable: true, description: 'Milliseconds from start to end; null until both are known.' })
  get durationMs(): number | null {
    if (!this.startedAt || !this.endedAt) return null;
    return this.endedAt.getTime() - this.startedAt.getTime();
  }
}
