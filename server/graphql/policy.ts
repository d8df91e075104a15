// The one execution policy of both doors (HTTP and WebSocket): what a document may be before it is
// validated, and what an operation may cost before it is executed.
//
// Order, cheapest first: the caller's key is checked (a request without a valid key may only ask
// introspection), the document is parsed with a token limit, then one linear pass counts aliases and
// directives and measures depth and the number of fields once fragments are expanded (memoized per
// fragment, so nested spreads cannot blow up), and only then does graphql validate it and the cost
// model price it with its variables.
//
// Queries and mutations go over HTTP only; the socket carries subscriptions (see ws/server.ts).
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
} from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

export const LIMITS = {
  /** Lexical tokens of a document; the largest operation of the dashboard and SDK has under 200. */
  maxTokens: 5_000,
  /** Tokens of a document sent without a key (introspection only). */
  maxTokensWithoutKey: 1_000,
  /** Aliased fields in a document. */
  maxAliases: 30,
  /** Directives used in a document. */
  maxDirectives: 20,
  /** Field nesting of the operation. */
  maxDepth: 12,
  /** Selections of one response name, and fragment spreads, in one selection set (inline fragments included): graphql's merge check is quadratic in them. */
  maxRepeats: 5,
  /** Fields of the operation once every fragment spread is expanded. */
  maxFields: 2_000,
  /** Estimated cost: lists count `first` times, counts are priced as below. */
  maxCost: 100_000,
  /** Price of one `totalCount` (one COUNT in the database): at most 20 in a request. */
  countCost: 5_000,
  /** Subscriptions open on one socket; one more is refused with a `subscriptions` error. */
  maxSubscriptionsPerSocket: 50,
} as const;

export type Limit = 'tokens' | 'repeats' | 'aliases' | 'directives' | 'depth' | 'fields' | 'cost' | 'transport' | 'subscriptions';

/** A request over one of the limits: BAD_USER_INPUT, naming the limit (400 over HTTP). */
export const overLimit = (limit: Limit, message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', limit, http: { status: 400 } } });

/** Parses with the token limit, then checks aliases, directives, depth and expanded size in one linear pass. */
export function parseGuarded(source: string, options: { keyed: boolean }): DocumentNode {
  const maxTokens = options.keyed ? LIMITS.maxTokens : LIMITS.maxTokensWithoutKey;
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens, noLocation: true });
  } catch (error) {
    if (error instanceof GraphQLError && /more tha[nt] \d+ tokens/.test(error.message)) {
      throw overLimit('tokens', `the document has more than ${maxTokens} tokens`);
    }
    if (error instanceof GraphQLError) {
      throw new GraphQLError(error.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } } });
    }
    throw error;
  }
  checkShape(document);
  return document;
}

/** Aliases, directives, depth and expanded field count of a parsed document (throws the first limit exceeded). */
export function checkShape(document: DocumentNode): void {
  let aliases = 0;
  let directives = 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // Count over the document as written (each node once), no visitor: a stack of selection sets.
  const stack: SelectionSetNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    directives += definition.directives?.length ?? 0;
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      for (const variable of definition.variableDefinitions ?? []) directives += variable.directives?.length ?? 0;
    }
    stack.push(definition.selectionSet);
  }
  while (stack.length > 0) {
    const set = stack.pop() as SelectionSetNode;
    checkRepeats(set);
    for (const selection of set.selections) {
      directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD && selection.alias) aliases++;
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) stack.push(selection.selectionSet);
    }
  }
  if (aliases > LIMITS.maxAliases)
    throw overLimit('aliases', `the document has ${aliases} aliases; at most ${LIMITS.maxAliases} are allowed`);
  if (directives > LIMITS.maxDirectives) {
    throw overLimit('directives', `the document has ${directives} directives; at most ${LIMITS.maxDirectives} are allowed`);
  }

  // Depth and expanded size, each fragment measured once (a cycle counts as nothing; validation refuses it).
  const measured = new Map<string, { depth: number; fields: number }>();
  const measuring = new Set<string>();
  const measure = (set: SelectionSetNode): { depth: number; fields: number } => {
    let depth = 0;
    let fields = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const inner = selection.selectionSet ? measure(selection.selectionSet) : { depth: 0, fields: 0 };
        depth = Math.max(depth, 1 + inner.depth);
        fields += 1 + inner.fields;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = measure(selection.selectionSet);
        depth = Math.max(depth, inner.depth);
        fields += inner.fields;
      } else {
        const inner = measureFragment(selection.name.value);
        depth = Math.max(depth, inner.depth);
        fields += inner.fields;
      }
      // Stop early: the sum can only grow, and it must stay a number.
      if (fields > LIMITS.maxFields) return { depth, fields };
    }
    return { depth, fields };
  };
  const measureFragment = (name: string) => {
    const known = measured.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || measuring.has(name)) return { depth: 0, fields: 0 };
    measuring.add(name);
    const result = measure(fragment.selectionSet);
    measuring.delete(name);
    measured.set(name, result);
    return result;
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const { depth, fields } = measure(definition.selectionSet);
    if (depth > LIMITS.maxDepth) throw overLimit('depth', `query is nested ${depth} levels deep; at most ${LIMITS.maxDepth} are allowed`);
    if (fields > LIMITS.maxFields) {
      throw overLimit('fields', `the operation asks for more than ${LIMITS.maxFields} fields once fragments are expanded`);
    }
  }
}

/**
 * Refuses a selection set that selects one response name, or spreads fragments, more than
 * LIMITS.maxRepeats times: graphql's check that fields merge compares them pairwise.
 */
function checkRepeats(set: SelectionSetNode): void {
  const counts = new Map<string, number>();
  const walk = (inner: SelectionSetNode) => {
    for (const selection of inner.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else {
        const name = selection.kind === Kind.FIELD ? (selection.alias?.value ?? selection.name.value) : '...';
        const count = (counts.get(name) ?? 0) + 1;
        if (count > LIMITS.maxRepeats) {
          const what = name === '...' ? 'fragments are spread' : `"${name.slice(0, 64)}" is selected`;
          throw overLimit('repeats', `${what} more than ${LIMITS.maxRepeats} times in one selection set`);
        }
        counts.set(name, count);
      }
    }
  };
  walk(set);
}

/** True when every operation of the document asks only introspection (__schema, __type, __typename). */
export function isIntrospectionOnly(document: DocumentNode): boolean {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const rootOnly = (set: SelectionSetNode, seen: Set<string>): boolean =>
    set.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
      if (selection.kind === Kind.INLINE_FRAGMENT) return rootOnly(selection.selectionSet, seen);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(selection.name.value)) return true;
      return rootOnly(fragment.selectionSet, new Set(seen).add(selection.name.value));
    });
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operations.length > 0 && operations.every((operation) => rootOnly(operation.selectionSet, new Set()));
}

/** The fields that read a connection's COUNT (one per connection, whichever and however many are selected). */
const COUNT_FIELDS = new Set(['totalCount', 'totalCountIsExact']);

/** Fields that cost a query of their own: `totalCount` runs one COUNT wherever it is selected. */
const pricedEstimator: ComplexityEstimator = ({ field, childComplexity }) => {
  if (COUNT_FIELDS.has(field.name)) return LIMITS.countCost + childComplexity;
  return undefined;
};

/**
 * A connection costs its page size times what each element asks for; its own COUNT (`totalCount` and
 * `totalCountIsExact`, however often selected, share one per connection) is added once, not once per element.
 */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity, node }) => {
  if (typeof args.first !== 'number') return undefined;
  const counts = (node.selectionSet?.selections ?? []).filter((s) => s.kind === Kind.FIELD && COUNT_FIELDS.has(s.name.value)).length;
  const perElement = childComplexity - counts * LIMITS.countCost;
  return 1 + args.first * Math.max(1, perElement) + Math.min(counts, 1) * LIMITS.countCost;
};

/** Costs already priced, per schema and document (Apollo hands out one parsed document per query text). */
const priced = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();
/** Variable sets remembered per document: a page walked with `after` brings a new one each time. */
const PRICED_PER_DOCUMENT = 100;
/** Larger variables (a big input object) are priced every time rather than kept. */
const PRICED_KEY_MAX = 2_000;

/** The estimated cost of an operation with its variables; an aliased field costs what the field costs. */
export function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
) {
  const light = withoutLists(document, operationName, variables);
  // The same operation with the same variables costs the same: priced once, not on every request (issue 13).
  let byDocument = priced.get(schema);
  if (!byDocument) {
    byDocument = new WeakMap();
    priced.set(schema, byDocument);
  }
  let costs = byDocument.get(document);
  if (!costs) {
    costs = new Map();
    byDocument.set(document, costs);
  }
  const key = priceKey(operationName, light);
  // Variables JSON cannot write (nested past the stack) are priced, and refused by coercion, every time.
  if (key === null) return estimate(schema, document, operationName, light);
  const known = costs.get(key);
  if (known !== undefined) return known;
  const cost = estimate(schema, document, operationName, light);
  if (key.length > PRICED_KEY_MAX) return cost;
  if (costs.size >= PRICED_PER_DOCUMENT) costs.clear();
  costs.set(key, cost);
  return cost;
}

function priceKey(operationName: string | undefined, variables: Record<string, unknown>): string | null {
  try {
    return `${operationName ?? ''}\u0000${JSON.stringify(variables)}`;
  } catch {
    return null;
  }
}

function estimate(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>) {
  try {
    return getComplexity({
      schema,
      query: document,
      operationName,
      variables,
      estimators: [pricedEstimator, pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    // getComplexity coerces the variables first: a bad value (an unknown enum, a malformed DateTime) is the client's error.
    // By name, not instanceof: the library may load graphql's CommonJS build while we load its ES one.
    if (error instanceof Error && error.name === 'GraphQLError') {
      throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
    }
    throw error;
  }
}

/** Refuses an operation that costs more than the limit. */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
) {
  const cost = costOf(schema, document, operationName, variables);
  if (cost > LIMITS.maxCost) {
    throw overLimit(
      'cost',
      `query is too complex (${cost} > ${LIMITS.maxCost}); ask for smaller pages, fewer counts or fewer nested lists`,
    );
  }
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
