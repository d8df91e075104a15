// The execution policy's worst cases (graphql/policy.ts): the costliest request each limit still admits,
// and the cost of refusing one over it, as CPU time of the guard (parse with the token limit, shape
// checks, graphql validation, cost model) in this process. Target: none above 50 ms.
import { type DocumentNode, GraphQLError, validate } from 'graphql';
import { errorFingerprint } from '../../server/domain/error-text.js';
import { checkCost, LIMITS, parseGuarded } from '../../server/graphql/policy.js';
import { createSchema } from '../../server/graphql/schema.js';
import { heading, printTable, type SummaryRow } from './support.js';

const TARGET_MS = 50;

/** CPU milliseconds of the slowest of a few runs (the first warms up). */
function cpuMs(run: () => void): number {
  let worst = 0;
  for (let i = 0; i < 4; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    if (i > 0) worst = Math.max(worst, (used.user + used.system) / 1000);
  }
  return worst;
}

export async function runGuardBench(): Promise<SummaryRow[]> {
  const schema = await createSchema();
  const guard = (source: string, keyed = true): string => {
    try {
      const document: DocumentNode = parseGuarded(source, { keyed });
      const errors = validate(schema, document);
      if (errors.length > 0) return `invalid: ${errors[0].message.slice(0, 40)}`;
      checkCost(schema, document, undefined, {});
      return 'admitted';
    } catch (error) {
      if (error instanceof GraphQLError) return `refused: ${String(error.extensions.limit ?? error.extensions.code)}`;
      throw error;
    }
  };

  const fields = (n: number, field = '__typename') => Array.from({ length: n }, () => field).join(' ');
  const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: runs(first: 1) { edges { cursor } }`).join(' ');
  const fanOut = (n: number) =>
    `{ ...F0 } ${Array.from({ length: n }, (_, i) =>
      i === n - 1 ? `fragment F${i} on Query { __typename }` : `fragment F${i} on Query { ...F${i + 1} ... on Query { ...F${i + 1} } }`,
    ).join(' ')}`;
  // One repeated connection selection: 12 tokens and 3 fields each, as many as the token limit allows.
  const repeats = Math.floor((LIMITS.maxTokens - 2) / 12);

  // The same connection, as often as a set may repeat it, in as many fragments as a set may spread:
  // graphql's merge check compares them pairwise.
  const spreads = LIMITS.maxRepeats;
  const manyFragments = `{ ${Array.from({ length: spreads }, (_, i) => `...F${i}`).join(' ')} } ${Array.from(
    { length: spreads },
    (_, i) => `fragment F${i} on Query { ${'runs(first: 1) { edges { cursor } } '.repeat(LIMITS.maxRepeats)}}`,
  ).join(' ')}`;
  const cases: { name: string; source: string; keyed?: boolean }[] = [
    { name: `${spreads} fragments of one connection, spread together (admitted)`, source: manyFragments },
    {
      name: `${repeats * 12 + 2} tokens: one connection ${repeats} times (admitted)`,
      source: `{ ${fields(repeats, 'runs(first: 1) { edges { cursor } }')} }`,
    },
    { name: `${LIMITS.maxFields} fields of __typename (to validation)`, source: `{ ${fields(LIMITS.maxFields)} }` },
    { name: `${LIMITS.maxAliases} aliased connections (admitted)`, source: `{ ${aliases(LIMITS.maxAliases)} }` },
    {
      name: `depth ${LIMITS.maxDepth} (admitted)`,
      source: `{ __schema { types { fields { type { ${'ofType { '.repeat(7)}name${' }'.repeat(7)} } } } } }`,
    },
    { name: 'fragment fan-out to 1,024 fields (admitted)', source: fanOut(11) },
    {
      name: `${LIMITS.maxDirectives} directives (admitted)`,
      source: `{ ${Array.from({ length: LIMITS.maxDirectives }, (_, i) => `d${i}: __typename @include(if: true)`).join(' ')} }`,
    },
    { name: '15 MB of repeated fields, with a key (refused)', source: `{ ${'__typename '.repeat(1_400_000)} }` },
    { name: '15 MB of repeated fields, key-less (refused)', source: `{ ${'__typename '.repeat(1_400_000)} }`, keyed: false },
    { name: `${LIMITS.maxAliases + 1} aliases (refused)`, source: `{ ${aliases(LIMITS.maxAliases + 1)} }` },
    { name: 'fragment fan-out to 2^40 fields (refused)', source: fanOut(40) },
    {
      name: `${LIMITS.maxDirectives + 1} directives (refused)`,
      source: `{ ${Array.from({ length: LIMITS.maxDirectives + 1 }, (_, i) => `d${i}: __typename @include(if: true)`).join(' ')} }`,
    },
  ];

  heading('Execution policy: CPU per request, parse + shape + validate + cost');
  const rows: string[][] = [];
  const summary: SummaryRow[] = [];
  for (const c of cases) {
    const outcome = guard(c.source, c.keyed ?? true);
    const ms = cpuMs(() => guard(c.source, c.keyed ?? true));
    rows.push([c.name, outcome, ms.toFixed(2)]);
    summary.push({ measure: `guard: ${c.name}`, value: `${ms.toFixed(2)} ms CPU`, target: `≤ ${TARGET_MS} ms`, met: ms <= TARGET_MS });
  }
  const hostile = 'a-'.repeat(4_096);
  const fingerprintMs = cpuMs(() => {
    for (let i = 0; i < 100; i++) errorFingerprint('E', hostile);
  });
  rows.push(['100 error fingerprints of 8 KB "a-a-a-…"', 'fingerprinted', fingerprintMs.toFixed(2)]);
  summary.push({
    measure: 'fingerprint: 100 hostile 8 KB messages',
    value: `${fingerprintMs.toFixed(2)} ms CPU`,
    target: `≤ ${TARGET_MS} ms`,
    met: fingerprintMs <= TARGET_MS,
  });
  printTable(['request', 'outcome', 'CPU ms'], rows);
  return summary;
}
