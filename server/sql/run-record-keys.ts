// A run's records looked up by their keys, one entry of a batch at a time: the report's upsert and the retry-run
// statements find a batch's records already there this way.

/**
 * A lateral subquery (to follow CROSS JOIN or LEFT JOIN) of the records of run `runId` whose key is that of the entry
 * `keys` (an alias with entity_type and source_id), `inRun` (a condition on `alias`) confining them to the run's
 * partition: one descent of the (run, entity type, source id) key's index an entry, whatever the statistics say of
 * the run. Flattened into a join, as PostgreSQL does with a plain lateral subquery, the lookup became a read of the
 * whole run, for the batch or for each entry, whenever the day's statistics had not seen the run (a new run is
 * expected to hold one row): 8.8 s a batch at 30,000 records. OFFSET 0 keeps the subquery apart; and the run given as
 * a value not known while planning (a column, a sub-select: `runId` must not be a bare statement value) is expected to
 * hold a run's average share of the day, so the key's index, which finds the one row, is the cheapest way in.
 */
export const runRecordsByKey = (alias: string, runId: string, keys: string, inRun: string) => `LATERAL (
    SELECT * FROM records ${alias}
    WHERE ${alias}.run_id = ${runId} AND ${alias}.entity_type = ${keys}.entity_type AND ${alias}.source_id = ${keys}.source_id
      AND ${inRun}
    OFFSET 0
  )`;

/** Statement value `placeholder` (a run's id) as a value not known while planning, for runRecordsByKey. */
export const runIdUnplanned = (placeholder: string) => `(SELECT ${placeholder}::uuid)`;
