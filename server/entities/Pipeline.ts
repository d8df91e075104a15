import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { SyncDirection } from '../domain/enums.js';

@ObjectType({ description: 'How failed records of a pipeline are retried automatically.' })
export class RetryPolicy {
  @Field(() => Int, { description: 'Attempts a record gets in all, the first included, before it is dead-lettered.' })
  @Column({ name: 'max_attempts', type: 'integer', default: 5 })
  maxAttempts: number;

  @Field(() => Int, { description: 'Seconds before the first automatic retry.' })
  @Column({ name: 'initial_delay_seconds', type: 'integer', default: 30 })
  initialDelaySeconds: number;

  @Field(() => Float, { description: 'Each further retry waits this many times longer than the one before.' })
  @Column({ name: 'backoff_factor', type: 'double precision', default: 2 })
  backoffFactor: number;

  @Field(() => Int, { description: 'Longest wait between two retries, in seconds.' })
  @Column({ name: 'max_delay_seconds', type: 'integer', default: 3600 })
  maxDelaySeconds: number;

  @Field(() => [String], { description: 'Error codes that need a person: records failing with them are never retried automatically.' })
  @Column({ name: 'non_retryable_error_codes', type: 'text', array: true, default: () => "'{}'" })
  nonRetryableErrorCodes: string[];

  @Field(() => Int, {
    description:
      'Times a run of this pipeline that ended FAILED (a system failure, a lost worker; not a cancelled run) is re-run whole: ' +
      'queued again as a RETRY run whose retryOf is the failed run and whose rerun counts the re-runs of the session. 0 (the default): never.',
  })
  @Column({ name: 'max_run_reruns', type: 'integer', default: 0 })
  maxRunReruns: number;
}

@ObjectType({ description: 'One configured sync between a source and a target system.' })
@Entity('pipelines')
export class Pipeline {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String, { description: 'Human-readable name, e.g. "Billing → CRM accounts".' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { description: 'The system records come from.' })
  @Column({ name: 'source_system', type: 'text' })
  sourceSystem: string;

  @Field(() => String, { description: 'The system records are written to.' })
  @Column({ name: 'target_system', type: 'text' })
  targetSystem: string;

  @Field(() => SyncDirection, { description: 'Which side drives the sync.' })
  @Column({ type: 'enum', enum: SyncDirection, enumName: 'sync_direction', default: SyncDirection.PUSH })
  direction: SyncDirection;

  @Field(() => String, { nullable: true, description: 'The tenant (customer, company) owning the pipeline; null when shared.' })
  @Column({ name: 'tenant_id', type: 'text', nullable: true })
  tenantId: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Free-form pipeline configuration, snapshotted into each run.' })
  @Column({ type: 'jsonb', nullable: true })
  config: unknown;

  @Field(() => RetryPolicy, { description: 'How failed records are retried automatically.' })
  @Column(() => RetryPolicy, { prefix: false })
  retryPolicy: RetryPolicy;

  @Field(() => Date, { description: 'When the pipeline was created.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Field(() => Int, {
    nullable: true,
    description: 'How often the pipeline is expected to succeed, in seconds; null: no expectation (never STALE).',
  })
  @Column({ name: 'expected_interval_seconds', type: 'integer', nullable: true })
  expectedIntervalSeconds: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
