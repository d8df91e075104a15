/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** A time window: from inclusive, to exclusive; either end may be open. */
export type DateRange = {
  /** Start of the window (inclusive). */
  from?: string | null | undefined;
  /** End of the window (exclusive). */
  to?: string | null | undefined;
};

/** What a record does to the target system. */
export type RecordOperation =
  /** Creates a new entity in the target. */
  | 'CREATE'
  /** Deletes an entity from the target. */
  | 'DELETE'
  /** Updates an existing entity in the target. */
  | 'UPDATE';

/** The state of one record in its latest attempt. */
export type RecordStatus =
  /** Its run was cancelled before it was processed. */
  | 'CANCELLED'
  /** Automatic retries are exhausted; waits for an operator to replay or discard it. */
  | 'DEAD_LETTERED'
  /** An operator closed it without another attempt. */
  | 'DISCARDED'
  /** Being read from the source system. */
  | 'EXTRACTING'
  /** Reading from the source failed. */
  | 'EXTRACTION_FAILED'
  /** Writing to the target failed. When `retryable`, `nextRetryAt` says when the automatic retry is due. */
  | 'FAILED'
  /** Being written to the target system. */
  | 'IN_PROGRESS'
  /** Some of its parts failed and need attention. */
  | 'PARTIALLY_FAILED'
  /** Written, but some of its parts or fields were not. */
  | 'PARTIAL_SUCCESS'
  /** Known to the run, not yet processed. */
  | 'PENDING'
  /** Failed, and its next attempt is in a queued or running RETRY run (automatic or by an operator). */
  | 'RETRY_SCHEDULED'
  /** Deliberately not synced (unchanged or filtered out). */
  | 'SKIPPED'
  /** Written to the target system. */
  | 'SUCCESS';

/** Which runs to list. Every given field must match (AND); a list matches any of its values. */
export type RunFilter = {
  /** Runs that ended in this window. */
  endedAt?: DateRange | null | undefined;
  /** Runs that moved records of any of these entity types (SyncRun.entityTypes). */
  entityTypes?: Array<string> | null | undefined;
  /** Runs started in these modes. */
  modes?: Array<SyncMode> | null | undefined;
  /** Runs of these operation types, e.g. "Pull updates". */
  operationTypes?: Array<string> | null | undefined;
  /** Runs of these pipelines. */
  pipelineIds?: Array<string | number> | null | undefined;
  /** Free text, case-insensitive: matches the beginning of the run id (or all of it), or any part of the correlation id, tenant id or pipeline name. */
  search?: string | null | undefined;
  /** Runs that started in this window. */
  startedAt?: DateRange | null | undefined;
  /** Runs in these statuses. */
  statuses?: Array<RunStatus> | null | undefined;
  /** Runs of these tenants. */
  tenantIds?: Array<string> | null | undefined;
};

/** Where a run is in its lifecycle. */
export type RunStatus =
  /** Stopped on request before it finished. */
  | 'CANCELLED'
  /** A cancel was requested; the worker has not confirmed yet. */
  | 'CANCELLING'
  /** Finished, and at least one record failed. */
  | 'COMPLETED_WITH_ERRORS'
  /** The session itself broke (system failure or lost worker): the whole run needs to run again. */
  | 'FAILED'
  /** Waiting for a worker to claim it. */
  | 'QUEUED'
  /** Finished, and the worker undid its changes in the target. */
  | 'ROLLED_BACK'
  /** A worker holds it under a lease and is reporting records. */
  | 'RUNNING'
  /** Finished with no failed record. */
  | 'SUCCEEDED';

/** Which way a pipeline moves data, seen from the source system. */
export type SyncDirection =
  /** The target system pulls records from the source. */
  | 'PULL'
  /** The source system pushes records into the target. */
  | 'PUSH';

/** How a run was started. */
export type SyncMode =
  /** Housekeeping: retention of old history. */
  | 'CLEANUP'
  /** Started by a person from the dashboard or a script. */
  | 'MANUAL'
  /** Started by another system through the API. */
  | 'ON_DEMAND'
  /** Started by a change in the source system, as it happened. */
  | 'REAL_TIME'
  /** Re-attempts failed records of earlier runs. */
  | 'RETRY'
  /** Started by the pipeline’s schedule. */
  | 'SCHEDULED';

export type PipelinesQueryVariables = Exact<{ [key: string]: never; }>;


export type PipelinesQuery = { pipelines: Array<{ id: string, name: string, sourceSystem: string, targetSystem: string, direction: SyncDirection, tenantId: string | null }> };

export type RunRecordsQueryVariables = Exact<{
  runId: string | number;
  first: number;
  after?: string | null | undefined;
}>;


export type RunRecordsQuery = { run: { id: string, status: RunStatus, mode: SyncMode, operationType: string | null, startedAt: string | null, endedAt: string | null, durationMs: number | null, error: string | null, triggeredBy: string | null, correlationId: string | null, pipeline: { id: string, name: string }, records: { edges: Array<{ cursor: string, node: { id: string, status: RecordStatus, entityType: string, sourceId: string, targetId: string | null, operation: RecordOperation, errorCode: string | null, errorMessage: string | null, attempts: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } | null };

export type RunsQueryVariables = Exact<{
  filter?: RunFilter | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type RunsQuery = { runs: { edges: Array<{ cursor: string, node: { id: string, status: RunStatus, mode: SyncMode, operationType: string | null, startedAt: string | null, endedAt: string | null, durationMs: number | null, error: string | null, pipeline: { id: string, name: string }, counts: { total: number, succeeded: number, failed: number, skipped: number, pending: number } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };


export const PipelinesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Pipelines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pipelines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"sourceSystem"}},{"kind":"Field","name":{"kind":"Name","value":"targetSystem"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}}]}}]}}]} as unknown as DocumentNode<PipelinesQuery, PipelinesQueryVariables>;
export const RunRecordsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RunRecords"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"runId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"run"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"runId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"operationType"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"triggeredBy"}},{"kind":"Field","name":{"kind":"Name","value":"correlationId"}},{"kind":"Field","name":{"kind":"Name","value":"pipeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"records"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"entityType"}},{"kind":"Field","name":{"kind":"Name","value":"sourceId"}},{"kind":"Field","name":{"kind":"Name","value":"targetId"}},{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"errorMessage"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}}]} as unknown as DocumentNode<RunRecordsQuery, RunRecordsQueryVariables>;
export const RunsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Runs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RunFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"runs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"operationType"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"pipeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"counts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"skipped"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<RunsQuery, RunsQueryVariables>;