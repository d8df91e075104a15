// Queries over HTTP run as graphql-jit compiled functions instead of graphql-js `execute` (issue 13):
// graphql-js walks the document on every request (collecting fields, reading arguments, completing each value
// through generic code), which was most of the GraphQL layer's CPU on a 50-record page. graphql-jit does that walk
// once per document and leaves a function that reads and writes the fields directly.
//
// Apollo Server takes a custom executor only through its gateway interface: it still parses, validates, runs the
// plugins (cost, no-store, observe, legacy JSON) and formats the errors; only `execute` is ours. Apollo keeps each
// validated document in its document store (an LRU keyed by the query's hash) and hands the same DocumentNode
// object to every request with that text, so compiled queries are cached per document object and operation name,
// for the last 1,000 documents used.
//
// Everything that could answer differently from graphql-js stays on graphql-js:
// - a document seen once: compiling costs more than one execution, and a client sending one-off texts would pay it
//   on every request; the second request of a document compiles it;
// - a document graphql-jit cannot compile (compileQuery answers errors), and any operation Apollo did not resolve
//   (graphql-js words that error);
// - mutations: their cost is the service's work, and their variables can be large (reportRecords: a thousand records)
//   and would be coerced twice (below); ingest lost a tenth of its rate compiled;
// - subscriptions sent over HTTP (graphql-ws runs the real ones on graphql-js, ws/server.ts);
// - variables are coerced by graphql-js first: a value that does not coerce is answered by graphql-js's own
//   errors (Apollo turns them into BAD_USER_INPUT and a 400), and only coerced requests reach the compiled query.
// Errors from the compiled query are rebuilt as graphql-js GraphQLErrors (graphql-jit's own have no extensions
// object, which Apollo's error formatting reads), with the same message, locations, path and original error.
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  GraphQLError,
  type GraphQLSchema,
  getVariableValues,
  type OperationDefinitionNode,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<Record<string, unknown>>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/** Per operation name: not yet seen, seen once (graphql-js ran it), compiled, or not compilable (graphql-js). */
type Entry = 'seen' | CompiledQuery | 'graphql-js';

/** Executes one request with graphql-js, as Apollo does without an executor. */
function executeWithGraphQLJs(schema: GraphQLSchema, document: DocumentNode, request: Parameters<Executor>[0]): Promise<ExecutionResult> {
  return Promise.resolve(
    execute({
      schema,
      document,
      contextValue: request.context,
      variableValues: request.request.variables,
      operationName: request.request.operationName,
    }),
  );
}

/** graphql-jit's error as graphql-js would have built it (locatedError): message, locations, path, original error. */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  // A GraphQLError thrown with its path already set is passed through by graphql-js as it is.
  if (original instanceof GraphQLError && Array.isArray(original.path)) return original;
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: original,
  });
  if (error.locations) (rebuilt as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return rebuilt;
}

/** Documents whose compiled queries are kept (least recently used out): compiled code weighs more than a document. */
const DOCUMENTS_MAX = 1_000;

/** The executor: compiled queries for documents seen before, graphql-js for the rest (see the top of this file). */
export function createJitExecutor(schema: GraphQLSchema): Executor {
  const documents = new Map<DocumentNode, Map<string, Entry>>();
  return async (request) => {
    const { document, operation } = request as { document: DocumentNode; operation?: OperationDefinitionNode };
    if (operation?.operation !== 'query') return executeWithGraphQLJs(schema, document, request);
    const key = request.operationName ?? '';
    let entries = documents.get(document);
    if (entries) documents.delete(document);
    else {
      entries = new Map();
      if (documents.size >= DOCUMENTS_MAX) documents.delete(documents.keys().next().value as DocumentNode);
    }
    documents.set(document, entries);
    let entry = entries.get(key);
    if (entry === undefined) {
      entries.set(key, 'seen');
      return executeWithGraphQLJs(schema, document, request);
    }
    if (entry === 'seen') {
      const result = compileQuery(schema, document, request.operationName ?? undefined, { disablingCapturingStackErrors: true });
      entry = isCompiledQuery(result) ? result : 'graphql-js';
      entries.set(key, entry);
    }
    if (entry === 'graphql-js') return executeWithGraphQLJs(schema, document, request);
    const variables = request.request.variables ?? {};
    if (operation.variableDefinitions?.length) {
      const coerced = getVariableValues(schema, operation.variableDefinitions, variables, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
    }
    const result = await entry.query(undefined, request.context, variables);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result;
  };
}

/**
 * A gateway in name only: it serves our own schema, and its executor is the one above. Apollo calls
 * onSchemaLoadOrUpdate before load; the schema never changes afterwards.
 */
export function jitGateway(schema: GraphQLSchema): Gateway {
  let onLoad: Parameters<Gateway['onSchemaLoadOrUpdate']>[0] | undefined;
  return {
    onSchemaLoadOrUpdate(callback) {
      onLoad = callback;
      return () => {
        onLoad = undefined;
      };
    },
    async load() {
      // Apollo reads only apiSchema; the SDL is for usage and schema reporting, both disabled here.
      onLoad?.({ apiSchema: schema, coreSupergraphSdl: '' });
      return { executor: createJitExecutor(schema) };
    },
    async stop() {},
  };
}
