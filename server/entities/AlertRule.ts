import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AlertCondition, AlertSeverity } from '../domain/alerts.js';
import { PipelineHealthStatus } from '../domain/pipeline-health.js';

@ObjectType({ description: 'Watches one condition for every pipeline it covers; each target that meets it opens an alert.' })
@Entity('alert_rules')
export class AlertRule {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String, { description: 'What the rule is called in notifications and the console.' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => AlertCondition, { description: 'What the rule watches.' })
  @Column({ type: 'enum', enum: AlertCondition, enumName: 'alert_condition' })
  condition: AlertCondition;

  @Field(() => AlertSeverity, { description: 'How bad its alerts are.' })
  @Column({ type: 'enum', enum: AlertSeverity, enumName: 'alert_severity', default: AlertSeverity.WARNING })
  severity: AlertSeverity;

  @Field(() => [ID], { nullable: true, description: 'The pipelines it covers; null: every pipeline of its tenant scope.' })
  @Column({ name: 'pipeline_ids', type: 'uuid', array: true, nullable: true })
  pipelineIds: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'The tenant whose pipelines it covers and who sees it; null: every tenant, seen by unbound keys.',
  })
  @Column({ name: 'tenant_id', type: 'text', nullable: true })
  tenantId: string | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'RUN_FAILED: consecutive failed runs (default 1). ERROR_RATE: the fraction of failed records (above 0, at most 1). ' +
      'DEAD_LETTERS: waiting dead letters. RUN_DURATION: seconds. Null for the other conditions.',
  })
  @Column({ type: 'double precision', nullable: true })
  threshold: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'ERROR_RATE: the window the rate is measured over, in seconds (at least 60). ERROR_GROUP_*: how long a group must be quiet ' +
      'for its alert to resolve (default 3,600). Null for the other conditions.',
  })
  @Column({ name: 'window_seconds', type: 'integer', nullable: true })
  windowSeconds: number | null;

  @Field(() => [PipelineHealthStatus], { nullable: true, description: 'PIPELINE_HEALTH: the health states that fire. Null otherwise.' })
  @Column({ name: 'health_states', type: 'text', array: true, nullable: true })
  healthStates: PipelineHealthStatus[] | null;

  @Field(() => Int, { description: 'While an alert is FIRING (not acknowledged), notify again this often, in seconds; 0: never.' })
  @Column({ name: 'repeat_interval_seconds', type: 'integer', default: 0 })
  repeatIntervalSeconds: number;

  @Field(() => Date, {
    nullable: true,
    description: 'Until then the rule evaluates and records alerts but notifies nobody; null: not muted.',
  })
  @Column({ name: 'muted_until', type: 'timestamptz', nullable: true })
  mutedUntil: Date | null;

  @Field(() => Boolean, { description: 'Whether the rule is evaluated at all.' })
  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Field(() => Date, { description: 'When the rule was created.' })
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Field(() => String, { nullable: true, description: 'The name of the key that created it.' })
  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy: string | null;
}
