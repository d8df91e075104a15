import { graphql } from './generated';

export const runsQuery = graphql(`
  query Runs($filter: RunFilter, $first: Int!, $after: String) {
    runs(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          status
          mode
          operationType
          startedAt
          endedAt
          durationMs
          error
          pipeline {
            id
            name
          }
          counts {
            total
            succeeded
            failed
            skipped
            pending
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
