import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ description: 'Who did what: one operator or admin action.' })
@Entity('audit_entries')
export class AuditEntry {
  @Field(() => ID, { description: 'Stable identifier, increasing with time.' })
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Field(() => Date, { description: 'When it happened.' })
  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Field(() => String, { description: 'Name of the API key that acted.' })
  @Column({ type: 'text' })
  actor: string;

  @Column({ name: 'actor_key_id', type: 'uuid', nullable: true })
  actorKeyId: string | null;

  @Column({ name: 'tenant_id', type: 'text', nullable: true })
  tenantId: string | null;

  @Field(() => String, { description: 'The mutation, e.g. "cancelRun".' })
  @Column({ type: 'text' })
  action: string;

  @Field(() => String, { nullable: true, description: 'What it acted on, e.g. "run:<id>".' })
  @Column({ type: 'text', nullable: true })
  target: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The parameters and outcome.' })
  @Column({ type: 'jsonb', nullable: true })
  details: unknown;
}
