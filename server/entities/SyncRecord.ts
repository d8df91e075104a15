import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { RecordOperation, RecordStatus, SyncMode } from '../domain/enums.js';

@ObjectType('SyncRecord', { description: 'One entity moved in a run, in the state of its latest attempt.' })
@Entity('records')
export class SyncRecord {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId: string;

  @Column({ name: 'pipeline_id', type: 'uuid' })
  pipelineId: string;

  @Column({ name: 'tenant_id', type: 'text', nullable: true })
  tenantId: string | null;

  @Column({ type: 'enum', enum: SyncMode, enumName: 'sync_mode' })
  mode: SyncMode;

  @Field(() => String, { description: 'Kind of entity, e.g. "Account", "Lead", "Product".' })
  @Column({ name: 'entity_type', type: 'text' })
  entityType: string;

  @Field(() => String, { description: 'The entity’s id in the source system.' })
  @Column({ name: 'source_id', type: 'text' })
  sourceId: string;

  @Field(() => String, { nullable: true, description: 'The entity’s id in the target system, once known.' })
  @Column({ name: 'target_id', type: 'text', nullable: true })
  targetId: string | null;

  @Field(() => RecordOperation, { description: 'What the record does to the target.' })
  @Column({ type: 'enum', enum: RecordOperation, enumName: 'record_operation' })
  operation: RecordOperation;

  @Field(() => RecordStatus, { description: 'State of the latest attempt.' })
  @Column({ type: 'enum', enum: RecordStatus, enumName: 'record_status' })
  status: RecordStatus;

  @Field(() => String, { nullable: true, description: 'Machine-readable error code of the latest failure.' })
  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Error message of the latest failure; messages over 8 KiB are truncated with a marker.',
  })
  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ name: 'error_fingerprint', type: 'text', nullable: true })
  errorFingerprint: string | null;

  @Field(() => Boolean, { description: 'Whether a failure of this record may be retried automatically.' })
  @Column({ type: 'boolean', default: false })
  retryable: boolean;

  @Field(() => Int, { description: 'Attempts made so far, the first included.' })
  @Column({ type: 'integer', default: 1 })
  attempts: number;

  @Field(() => Date, { nullable: true, description: 'When the next automatic retry is due; null when none is scheduled.' })
  @Column({ name: 'next_retry_at', type: 'timestamptz', nullable: true })
  nextRetryAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the latest attempt started (the report time when the worker gave none).' })
  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the latest attempt ended.' })
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'Milliseconds the latest attempt took.' })
  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs: number | null;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'Free-form details from the worker (fields changed, sub-steps, payload excerpts).',
  })
  @Column({ type: 'jsonb', nullable: true })
  details: unknown;

  /** What the worker reported for the current attempt; `status` can differ (RETRY_SCHEDULED, DEAD_LETTERED). */
  @Column({ name: 'reported_status', type: 'enum', enum: RecordStatus, enumName: 'record_status', nullable: true })
  reportedStatus: RecordStatus | null;

  /** The retry run that made the current attempt; null when it was run_id. */
  @Column({ name: 'attempt_run_id', type: 'uuid', nullable: true })
  attemptRunId: string | null;

  /** On a retry run's record: the original record this is an attempt of. */
  @Column({ name: 'origin_record_id', type: 'bigint', nullable: true })
  originRecordId: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  /** When the record's run was created: the partition key (docs/scaling.md), part of the primary key with `id`. */
  @PrimaryColumn({ name: 'run_created_at', type: 'timestamptz' })
  runCreatedAt: Date;
}
