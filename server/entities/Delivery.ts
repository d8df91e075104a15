import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DeliveryStatus } from '../domain/alerts.js';

/** One attempt, as the delivery log keeps it. */
export interface DeliveryAttempt {
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

@ObjectType({ description: 'One notification to one channel, with its attempts: the outbox and the delivery log.' })
@Entity('deliveries')
export class Delivery {
  @Field(() => ID, { description: 'Stable identifier; the webhook-id header, the same on every attempt (the receiver’s idempotency key).' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Insertion order, for paging newest first. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId: string;

  @Column({ name: 'alert_id', type: 'uuid', nullable: true })
  alertId: string | null;

  @Column({ name: 'tenant_id', type: 'text', nullable: true })
  tenantId: string | null;

  @Field(() => String, { description: 'What it tells: alert.fired, alert.resolved or alert.test.' })
  @Column({ type: 'text' })
  event: string;

  /** The envelope as it is sent, the same bytes on every attempt. */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Field(() => DeliveryStatus, { description: 'PENDING until a 2xx answer (DELIVERED) or the last retry failed (FAILED).' })
  @Column({ type: 'enum', enum: DeliveryStatus, enumName: 'delivery_status', default: DeliveryStatus.PENDING })
  status: DeliveryStatus;

  @Field(() => Int, { description: 'Attempts made so far.' })
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Field(() => Int, { nullable: true, description: 'The HTTP status of the last attempt; null when none answered.' })
  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the last attempt failed (timeout, refused address, status); null after a success.',
  })
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** Every attempt: when, status code, error, duration. */
  @Column({ name: 'attempt_log', type: 'jsonb', default: () => "'[]'" })
  attemptLog: DeliveryAttempt[];

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null once DELIVERED or FAILED.' })
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true, default: () => 'now()' })
  nextAttemptAt: Date | null;

  @Field(() => Date, { description: 'When the notification was written (in the transaction of the alert’s change).' })
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When a 2xx answer came; null until then.' })
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;
}
