import { graphql } from './generated';

export const runRecordsQuery = graphql(`
  query RunRecords($runId: ID!, $first: Int!, $after: String) {
    run(id: $runId) {
      id
      status
      mode
      operationType
      startedAt
      endedAt
      durationMs
      error
      triggeredBy
      correlationId
      pipeline {
        id
        name
      }
      records(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            status
            entityType
            sourceId
            targetId
            operation
            errorCode
            errorMessage
            attempts
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);
