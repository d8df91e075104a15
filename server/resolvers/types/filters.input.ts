import { Field, ID, InputType } from 'type-graphql';
import { RecordOperation, RecordSortField, RecordStatus, RunSortField, RunStatus, SortDirection, SyncMode } from '../../domain/enums.js';

@InputType({ description: 'A time window: from inclusive, to exclusive; either end may be open.' })
export class DateRange {
  @Field(() => Date, { nullable: true, description: 'Start of the window (inclusive).' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'End of the window (exclusive).' })
  to?: Date | null;
}

@InputType({ description: 'Which runs to list. Every given field must match (AND); a list matches any of its values.' })
export class RunFilter {
  @Field(() => [ID], { nullable: true, description: 'Runs of these pipelines.' })
  pipelineIds?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Runs of these tenants.' })
  tenantIds?: string[] | null;

  @Field(() => [SyncMode], { nullable: true, description: 'Runs started in these modes.' })
  modes?: SyncMode[] | null;

  @Field(() => [RunStatus], { nullable: true, description: 'Runs in these statuses.' })
  statuses?: RunStatus[] | null;

  @Field(() => [String], { nullable: true, description: 'Runs of these operation types, e.g. "Pull updates".' })
  operationTypes?: string[] | null;

  @Field(() => DateRange, { nullable: true, description: 'Runs that started in this window.' })
  startedAt?: DateRange | null;

  @Field(() => DateRange, { nullable: true, description: 'Runs that ended in this window.' })
  endedAt?: DateRange | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Free text, case-insensitive: matches the beginning of the run id (or all of it), or any part of the correlation id, tenant id or pipeline name.',
  })
  search?: string | null;

  @Field(() => [String], { nullable: true, description: 'Runs that moved records of any of these entity types (SyncRun.entityTypes).' })
  entityTypes?: string[] | null;
}

@InputType({ description: 'How to sort runs.' })
export class RunOrder {
  @Field(() => RunSortField, { description: 'The sort key.' })
  field: RunSortField;

  @Field(() => SortDirection, { description: 'The direction.' })
  direction: SortDirection;
}

@InputType({ description: 'Which records to list. Every given field must match (AND); a list matches any of its values.' })
export class RecordFilter {
  @Field(() => [ID], { nullable: true, description: 'Records of these runs.' })
  runIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Records of these pipelines.' })
  pipelineIds?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Records of these tenants.' })
  tenantIds?: string[] | null;

  @Field(() => [SyncMode], { nullable: true, description: 'Records of runs in these modes.' })
  modes?: SyncMode[] | null;

  @Field(() => [String], { nullable: true, description: 'Records of these entity types.' })
  entityTypes?: string[] | null;

  @Field(() => [RecordOperation], { nullable: true, description: 'Records with these operations.' })
  operations?: RecordOperation[] | null;

  @Field(() => [RecordStatus], { nullable: true, description: 'Records in these statuses.' })
  statuses?: RecordStatus[] | null;

  @Field(() => String, { nullable: true, description: 'Part of the source id, case-insensitive.' })
  sourceId?: string | null;

  @Field(() => String, { nullable: true, description: 'Exactly this error code.' })
  errorCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Failures of this error group (ErrorGroup.fingerprint).' })
  errorFingerprint?: string | null;

  @Field(() => DateRange, { nullable: true, description: 'Records whose latest attempt started in this window.' })
  startedAt?: DateRange | null;
}

@InputType({ description: 'How to sort records.' })
export class RecordOrder {
  @Field(() => RecordSortField, { description: 'The sort key.' })
  field: RecordSortField;

  @Field(() => SortDirection, { description: 'The direction.' })
  direction: SortDirection;
}
