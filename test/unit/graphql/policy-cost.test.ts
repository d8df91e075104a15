// Costs are priced once per document and variables (graphql/policy.ts): a remembered price must be the one the
// variables give, never another variable set's, and a refused value is refused every time.
import { parse } from 'graphql';
import { beforeAll, expect, it } from 'vitest';
import { costOf } from '../../../server/graphql/policy.js';
import { createSchema } from '../../../server/graphql/schema.js';

let schema: Awaited<ReturnType<typeof createSchema>>;
beforeAll(async () => {
  schema = await createSchema();
});

const PAGE = parse(
  'query($first: Int, $filter: RecordFilter) { records(first: $first, filter: $filter) { edges { node { id sourceId } } } }',
);

it('prices each variable set on its own, the same each time', () => {
  const ten = costOf(schema, PAGE, undefined, { first: 10 });
  const hundred = costOf(schema, PAGE, undefined, { first: 100 });
  expect(hundred).toBeGreaterThan(ten);
  expect(costOf(schema, PAGE, undefined, { first: 10 })).toBe(ten);
  expect(costOf(schema, PAGE, undefined, { first: 100 })).toBe(hundred);
  // The same variables on a document parsed again (another text, another object) cost the same.
  const again = parse(
    'query($first: Int, $filter: RecordFilter) { records(first: $first, filter: $filter) { edges { node { id sourceId } } } }',
  );
  expect(costOf(schema, again, undefined, { first: 100 })).toBe(hundred);
});

it('refuses a value that does not coerce every time it is sent', () => {
  const bad = { first: 10, filter: { statuses: ['NOT_A_STATUS'] } };
  for (let i = 0; i < 2; i++) {
    expect(() => costOf(schema, PAGE, undefined, bad)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  }
});
