/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Pipelines {\n    pipelines {\n      id\n      name\n      sourceSystem\n      targetSystem\n      direction\n      tenantId\n    }\n  }\n": typeof types.PipelinesDocument,
    "\n  query RunRecords($runId: ID!, $first: Int!, $after: String) {\n    run(id: $runId) {\n      id\n      status\n      mode\n      operationType\n      startedAt\n      endedAt\n      durationMs\n      error\n      triggeredBy\n      correlationId\n      pipeline {\n        id\n        name\n      }\n      records(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            status\n            entityType\n            sourceId\n            targetId\n            operation\n            errorCode\n            errorMessage\n            attempts\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.RunRecordsDocument,
    "\n  query Runs($filter: RunFilter, $first: Int!, $after: String) {\n    runs(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          mode\n          operationType\n          startedAt\n          endedAt\n          durationMs\n          error\n          pipeline {\n            id\n            name\n          }\n          counts {\n            total\n            succeeded\n            failed\n            skipped\n            pending\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.RunsDocument,
};
const documents: Documents = {
    "\n  query Pipelines {\n    pipelines {\n      id\n      name\n      sourceSystem\n      targetSystem\n      direction\n      tenantId\n    }\n  }\n": types.PipelinesDocument,
    "\n  query RunRecords($runId: ID!, $first: Int!, $after: String) {\n    run(id: $runId) {\n      id\n      status\n      mode\n      operationType\n      startedAt\n      endedAt\n      durationMs\n      error\n      triggeredBy\n      correlationId\n      pipeline {\n        id\n        name\n      }\n      records(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            status\n            entityType\n            sourceId\n            targetId\n            operation\n            errorCode\n            errorMessage\n            attempts\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.RunRecordsDocument,
    "\n  query Runs($filter: RunFilter, $first: Int!, $after: String) {\n    runs(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          mode\n          operationType\n          startedAt\n          endedAt\n          durationMs\n          error\n          pipeline {\n            id\n            name\n          }\n          counts {\n            total\n            succeeded\n            failed\n            skipped\n            pending\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.RunsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Pipelines {\n    pipelines {\n      id\n      name\n      sourceSystem\n      targetSystem\n      direction\n      tenantId\n    }\n  }\n"): (typeof documents)["\n  query Pipelines {\n    pipelines {\n      id\n      name\n      sourceSystem\n      targetSystem\n      direction\n      tenantId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunRecords($runId: ID!, $first: Int!, $after: String) {\n    run(id: $runId) {\n      id\n      status\n      mode\n      operationType\n      startedAt\n      endedAt\n      durationMs\n      error\n      triggeredBy\n      correlationId\n      pipeline {\n        id\n        name\n      }\n      records(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            status\n            entityType\n            sourceId\n            targetId\n            operation\n            errorCode\n            errorMessage\n            attempts\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunRecords($runId: ID!, $first: Int!, $after: String) {\n    run(id: $runId) {\n      id\n      status\n      mode\n      operationType\n      startedAt\n      endedAt\n      durationMs\n      error\n      triggeredBy\n      correlationId\n      pipeline {\n        id\n        name\n      }\n      records(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            status\n            entityType\n            sourceId\n            targetId\n            operation\n            errorCode\n            errorMessage\n            attempts\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Runs($filter: RunFilter, $first: Int!, $after: String) {\n    runs(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          mode\n          operationType\n          startedAt\n          endedAt\n          durationMs\n          error\n          pipeline {\n            id\n            name\n          }\n          counts {\n            total\n            succeeded\n            failed\n            skipped\n            pending\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Runs($filter: RunFilter, $first: Int!, $after: String) {\n    runs(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          mode\n          operationType\n          startedAt\n          endedAt\n          durationMs\n          error\n          pipeline {\n            id\n            name\n          }\n          counts {\n            total\n            succeeded\n            failed\n            skipped\n            pending\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;