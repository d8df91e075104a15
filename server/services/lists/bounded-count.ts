// totalCount, bounded: a list's matches are counted exactly up to a cap and no further, so a count on the broadest
// filter costs what counting the cap costs (a COUNT of every match cost 500 ms on 1M records), never the whole table.
// 1,000: a page of a few hundred at most is read to count it; 10,000 took 32 ms for a broad source id search on 1M
// records (60,000 rows walked to find 10,000 matches).

/** Matches are counted exactly up to this many; past it a count says "more than" this. */
export const EXACT_COUNT_CAP = 1_000;

export interface BoundedCount {
  /** The number of matches when `exact`; EXACT_COUNT_CAP + 1 ("more than EXACT_COUNT_CAP") otherwise. */
  value: number;
  exact: boolean;
}

/** A count read from how many rows a LIMIT of cap + 1 let through. */
export function boundedFrom(found: number): BoundedCount {
  return found > EXACT_COUNT_CAP ? { value: EXACT_COUNT_CAP + 1, exact: false } : { value: found, exact: true };
}

/** Runs `count` once, when first asked, however many fields read it. */
export function countOnce(count: () => Promise<BoundedCount>): () => Promise<BoundedCount> {
  let result: Promise<BoundedCount> | null = null;
  return () => {
    result ??= count();
    return result;
  };
}
