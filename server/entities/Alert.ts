import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AlertSeverity, AlertState } from '../domain/alerts.js';

@ObjectType({ description: 'One firing of one rule for one target (a pipeline, or an error group): FIRING, ACKNOWLEDGED, then RESOLVED.' })
@Entity('alerts')
export class Alert {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Insertion order, for paging newest first. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;

  @Column({ name: 'rule_id', type: 'uuid' })
  ruleId: string;

  /** The pipeline id, or the fingerprint of an error group: one open alert per rule and target. */
  @Column({ name: 'target_key', type: 'text' })
  targetKey: string;

  /** The rule's tenant: who sees the alert. */
  @Column({ name: 'tenant_id', type: 'text', nullable: true })
  tenantId: string | null;

  @Column({ name: 'pipeline_id', type: 'uuid', nullable: true })
  pipelineId: string | null;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId: string | null;

  @Field(() => String, { nullable: true, description: 'ERROR_GROUP_* alerts: the error group’s fingerprint. Null otherwise.' })
  @Column({ type: 'text', nullable: true })
  fingerprint: string | null;

  @Field(() => AlertState, { description: 'Where the alert is: FIRING, ACKNOWLEDGED (no more repeats, still resolves) or RESOLVED.' })
  @Column({ type: 'enum', enum: AlertState, enumName: 'alert_state', default: AlertState.FIRING })
  state: AlertState;

  @Field(() => AlertSeverity, { description: 'The rule’s severity when the alert fired.' })
  @Column({ type: 'enum', enum: AlertSeverity, enumName: 'alert_severity' })
  severity: AlertSeverity;

  @Field(() => String, { description: 'What happened, in words.' })
  @Column({ type: 'text' })
  summary: string;

  @Field(() => Float, {
    nullable: true,
    description: 'The measured value that fired it (failed runs, error rate, dead letters, seconds), when there is one.',
  })
  @Column({ type: 'double precision', nullable: true })
  value: number | null;

  @Field(() => Date, { description: 'When it fired.' })
  @Column({ name: 'fired_at', type: 'timestamptz', default: () => 'now()' })
  firedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When someone acknowledged it; null when nobody did.' })
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'The name of the key that acknowledged it.' })
  @Column({ name: 'acknowledged_by', type: 'text', nullable: true })
  acknowledgedBy: string | null;

  @Column({ name: 'acknowledgement_note', type: 'text', nullable: true })
  acknowledgementNote: string | null;

  @Field(() => Date, { nullable: true, description: 'When the condition cleared; null while open.' })
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  /** Error group alerts: the latest failure with the fingerprint (quiet for the window resolves it). */
  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;

  /** When people were last told (fired or a repeat). */
  @Column({ name: 'last_notified_at', type: 'timestamptz', default: () => 'now()' })
  lastNotifiedAt: Date;
}
