// Bounds on what one operation may ask: nesting depth and estimated cost (lists count `first` times).
import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind } from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { depthOf } from './depth.js';

export const MAX_DEPTH = 12;
export const MAX_COMPLEXITY = 100_000;

/** A connection costs its page size times what each element asks for. */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) =>
  typeof args.first === 'number' ? 1 + args.first * Math.max(1, childComplexity) : undefined;

const tooBig = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });

export function queryLimitsPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operationName }) {
          const depth = depthOf(document, operationName ?? undefined);
          if (depth > MAX_DEPTH) throw tooBig(`query is nested ${depth} levels deep; at most ${MAX_DEPTH} are allowed`);
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              query: document,
              operationName: operationName ?? undefined,
              variables: withoutLists(document, operationName ?? undefined, request.variables ?? {}),
              estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (error) {
            // getComplexity coerces the variables first: a bad value (an unknown enum, a malformed DateTime) is the client's error.
            // By name, not instanceof: the library may load graphql's CommonJS build while we load its ES one.
            if (error instanceof Error && error.name === 'GraphQLError') throw tooBig(error.message);
            throw error;
          }
          if (complexity > MAX_COMPLEXITY) {
            throw tooBig(`query is too complex (${complexity} > ${MAX_COMPLEXITY}); ask for smaller pages or fewer nested lists`);
          }
        },
      };
    },
  };
}

/**
 * List variables never carry a page size, so the estimate gets them empty: coercing a 5,000-record
 * `reportRecords` list here as well as in execution doubled its GraphQL cost (execution still checks them).
 */
function withoutLists(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>) {
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (operation?.kind !== Kind.OPERATION_DEFINITION) return variables;
  const light = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const type = definition.type.kind === Kind.NON_NULL_TYPE ? definition.type.type : definition.type;
    const name = definition.variable.name.value;
    if (type.kind === Kind.LIST_TYPE && Array.isArray(light[name])) light[name] = [];
  }
  return light;
}
