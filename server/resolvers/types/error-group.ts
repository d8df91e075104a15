import { Field, Int, ObjectType } from 'type-graphql';
import { ErrorGroupState } from '../../domain/error-group.js';

@ObjectType({
  description:
    'Failures that share a fingerprint: the error code and the message with numbers, ids and quoted values normalised away. ' +
    'Each failed record counts once, by its original, in its current state (a failure retried successfully leaves its group).',
})
export class ErrorGroup {
  @Field(() => String, { description: 'The fingerprint the group’s records carry; filter records with errorFingerprint.' })
  fingerprint: string;

  @Field(() => String, { nullable: true, description: 'The error code of its failures, when they have one.' })
  errorCode: string | null;

  @Field(() => String, { description: 'The message of its latest failure (its error code when it had no message).' })
  sampleMessage: string;

  @Field(() => Int, { description: 'Failed records in the group.' })
  count: number;

  @Field(() => Int, { description: 'Runs those records belong to.' })
  runCount: number;

  @Field(() => Boolean, { description: 'Whether its latest failure is retried automatically (see RetryPolicy).' })
  retryable: boolean;

  @Field(() => Date, { description: 'Start of its earliest failure counted.' })
  firstSeen: Date;

  @Field(() => Date, { description: 'Start of its latest failure counted.' })
  lastSeen: Date;

  @Field(() => ErrorGroupState, {
    description:
      'OPEN until an operator resolves it; RESOLVED then; REGRESSED once a failure with its fingerprint starts after the resolution ' +
      '(looked for in all retained history the key sees, whatever the filter). Resolutions belong to the key’s tenant scope: a ' +
      'tenant-bound key’s resolution is seen by that tenant’s keys only, and one by a key bound to no tenant by such keys only.',
  })
  state: ErrorGroupState;

  @Field(() => Date, { nullable: true, description: 'When it was resolved; null while OPEN.' })
  resolvedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Name of the key that resolved it; null while OPEN.' })
  resolvedBy: string | null;

  @Field(() => String, { nullable: true, description: 'The note given with the resolution.' })
  resolutionNote: string | null;
}
