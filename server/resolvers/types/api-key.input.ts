import { Field, InputType } from 'type-graphql';
import { Role } from '../../domain/enums.js';

@InputType({ description: 'A new API key.' })
export class ApiKeyInput {
  @Field(() => String, { description: 'Who or what will use the key.' })
  name: string;

  @Field(() => Role, { description: 'What the key may do.' })
  role: Role;

  @Field(() => String, {
    nullable: true,
    description: 'Bind the key to one tenant; a tenant-bound admin can only create keys of its tenant.',
  })
  tenantId?: string | null;
}
