import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { RecordStatus } from '../domain/enums.js';

@ObjectType({ description: 'One try of a record, kept in its history.' })
@Entity('record_attempts')
export class RecordAttempt {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ name: 'record_id', type: 'bigint' })
  recordId: string;

  @Field(() => Int, { description: 'Number of the attempt, 1 for the first.' })
  @Column({ type: 'integer' })
  attempt: number;

  @Field(() => ID, { description: 'The run that made the attempt.' })
  @Column({ name: 'run_id', type: 'uuid' })
  runId: string;

  @Field(() => RecordStatus, { description: 'Outcome of the attempt.' })
  @Column({ type: 'enum', enum: RecordStatus, enumName: 'record_status' })
  status: RecordStatus;

  @Field(() => String, { nullable: true, description: 'Error code of the attempt, if it failed.' })
  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode: string | null;

  @Field(() => String, { nullable: true, description: 'Error message of the attempt, if it failed.' })
  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @Field(() => Date, { nullable: true, description: 'When the attempt started.' })
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the attempt ended.' })
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'Milliseconds the attempt took.' })
  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs: number | null;

  /** When the run of the attempt's record was created: the partition key, the record's own (docs/scaling.md). */
  @PrimaryColumn({ name: 'run_created_at', type: 'timestamptz' })
  runCreatedAt: Date;
}
