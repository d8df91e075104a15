import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ChannelKind } from '../domain/alerts.js';

@ObjectType({ description: 'Where alerts are sent: a signed WEBHOOK or a SLACK incoming webhook.' })
@Entity('notification_channels')
export class NotificationChannel {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String, { description: 'What the channel is called in the console.' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => ChannelKind, { description: 'How notifications are sent.' })
  @Column({ type: 'enum', enum: ChannelKind, enumName: 'channel_kind' })
  kind: ChannelKind;

  /** The URL notifications are POSTed to: a secret (NotificationChannel.target shows it to admins only). */
  @Column({ type: 'text' })
  url: string;

  @Field(() => String, { nullable: true, description: 'The tenant whose keys see and use the channel; null: unbound keys only.' })
  @Column({ name: 'tenant_id', type: 'text', nullable: true })
  tenantId: string | null;

  /** WEBHOOK: the `whsec_…` secret that signs; null for SLACK. */
  @Column({ name: 'signing_secret', type: 'text', nullable: true })
  signingSecret: string | null;

  /** The secret before the last rotation, still signing until previousSecretUntil. */
  @Column({ name: 'previous_secret', type: 'text', nullable: true })
  previousSecret: string | null;

  @Column({ name: 'previous_secret_until', type: 'timestamptz', nullable: true })
  previousSecretUntil: Date | null;

  @Field(() => Boolean, { description: 'Whether notifications are sent to it; a channel failing for 5 days in a row is disabled.' })
  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Field(() => String, { nullable: true, description: 'Why the channel was disabled; null while enabled.' })
  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;

  /** Since when every delivery failed (null after a success). */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  @Field(() => Date, { description: 'When the channel was created.' })
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
