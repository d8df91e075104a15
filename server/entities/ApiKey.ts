import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from '../domain/enums.js';

@ObjectType('ApiKeyInfo', { description: 'An API key, without its secret.' })
@Entity('api_keys')
export class ApiKey {
  @Field(() => ID, { description: 'Stable identifier.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String, { description: 'Who or what uses the key.' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => Role, { description: 'What the key may do.' })
  @Column({ type: 'enum', enum: Role, enumName: 'api_role' })
  role: Role;

  @Field(() => String, { nullable: true, description: 'The only tenant the key sees and touches; null for all.' })
  @Column({ name: 'tenant_id', type: 'text', nullable: true })
  tenantId: string | null;

  /** SHA-256 of the secret: secrets are random and long, so a fast hash is enough. */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
