// Every operation of the console, typed by codegen (`npm run codegen`) from schema/schema.graphql.
import { graphql } from './generated';

export const meQuery = graphql(`
  query Me {
    me {
      id
      name
      role
      tenantId
    }
  }
`);

export const runRowFragment = graphql(`
  fragment RunRow on SyncRun {
    id
    tenantId
    status
    mode
    operationType
    entityTypes
    triggeredBy
    correlationId
    startedAt
    endedAt
    durationMs
    expectedTotal
    error
    pipeline {
      id
      name
    }
    counts {
      total
      created
      updated
      deleted
      skipped
      succeeded
      failed
      pending
    }
  }
`);

export const runsQuery = graphql(`
  query Runs($filter: RunFilter, $orderBy: RunOrder, $first: Int!, $after: String) {
    runs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...RunRow
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const runUpdatedSubscription = graphql(`
  subscription RunUpdated($filter: RunFilter, $since: String) {
    runUpdated(filter: $filter, since: $since) {
      cursor
      previousStatus
      run {
        ...RunRow
      }
    }
  }
`);

export const runDetailQuery = graphql(`
  query RunDetail($id: ID!) {
    run(id: $id) {
      ...RunRow
      leaseExpiresAt
      configSnapshot
      rerun
      pipeline {
        id
        name
        sourceSystem
        targetSystem
        direction
      }
      retryOf {
        id
        status
        startedAt
      }
    }
  }
`);

export const recordRowFragment = graphql(`
  fragment RecordRow on SyncRecord {
    id
    entityType
    sourceId
    targetId
    operation
    status
    errorCode
    errorMessage
    retryable
    attempts
    nextRetryAt
    startedAt
    endedAt
    latencyMs
    run {
      id
      mode
      triggeredBy
      correlationId
      pipeline {
        id
        name
      }
    }
  }
`);

export const recordsQuery = graphql(`
  query Records($filter: RecordFilter, $first: Int!, $after: String) {
    records(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...RecordRow
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const recordDetailQuery = graphql(`
  query RecordDetail($id: ID!) {
    record(id: $id) {
      ...RecordRow
      details
      history {
        attempt
        runId
        status
        errorCode
        errorMessage
        startedAt
        endedAt
        latencyMs
      }
    }
  }
`);

export const recordsUpdatedSubscription = graphql(`
  subscription RecordsUpdated($runId: ID, $filter: RecordFilter, $since: String) {
    recordsUpdated(runId: $runId, filter: $filter, since: $since) {
      cursor
      runId
      records {
        ...RecordRow
      }
    }
  }
`);

export const facetsQuery = graphql(`
  query Facets($pipelineIds: [ID!]) {
    facets(pipelineIds: $pipelineIds) {
      entityTypes
      operationTypes
      tenantIds
      errorCodes
    }
  }
`);

export const pipelinesQuery = graphql(`
  query Pipelines {
    pipelines {
      id
      name
      sourceSystem
      targetSystem
      direction
      tenantId
      config
      createdAt
      retryPolicy {
        maxAttempts
        initialDelaySeconds
        backoffFactor
        maxDelaySeconds
        nonRetryableErrorCodes
        maxRunReruns
      }
    }
  }
`);

export const auditLogQuery = graphql(`
  query AuditLog($first: Int!, $after: String) {
    auditLog(first: $first, after: $after) {
      edges {
        node {
          id
          at
          actor
          action
          target
          details
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const cancelRunMutation = graphql(`
  mutation CancelRun($runId: ID!, $reason: String) {
    cancelRun(runId: $runId, reason: $reason) {
      ...RunRow
    }
  }
`);

export const triggerSyncMutation = graphql(`
  mutation TriggerSync($pipelineId: ID!, $mode: SyncMode, $operationType: String) {
    triggerSync(pipelineId: $pipelineId, mode: $mode, operationType: $operationType) {
      ...RunRow
    }
  }
`);

export const retryRecordsMutation = graphql(`
  mutation RetryRecords($ids: [ID!], $filter: RecordFilter, $dryRun: Boolean) {
    retryRecords(ids: $ids, filter: $filter, dryRun: $dryRun) {
      matched
      scheduled
      skipped
      retryRun {
        id
      }
    }
  }
`);

export const replayDeadLettersMutation = graphql(`
  mutation ReplayDeadLetters($ids: [ID!], $filter: RecordFilter) {
    replayDeadLetters(ids: $ids, filter: $filter) {
      matched
      scheduled
      skipped
      retryRun {
        id
      }
    }
  }
`);

export const discardDeadLettersMutation = graphql(`
  mutation DiscardDeadLetters($ids: [ID!], $filter: RecordFilter) {
    discardDeadLetters(ids: $ids, filter: $filter) {
      discarded
    }
  }
`);

export const createPipelineMutation = graphql(`
  mutation CreatePipeline($input: PipelineInput!) {
    createPipeline(input: $input) {
      id
    }
  }
`);

export const updatePipelineMutation = graphql(`
  mutation UpdatePipeline($id: ID!, $input: PipelineInput!) {
    updatePipeline(id: $id, input: $input) {
      id
    }
  }
`);

export const createApiKeyMutation = graphql(`
  mutation CreateApiKey($input: ApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      key {
        id
        name
        role
        tenantId
      }
    }
  }
`);

export const revokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id)
  }
`);
