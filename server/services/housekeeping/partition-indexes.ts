// Indexes added to a partitioned table after it holds data (docs/scaling.md, "Indexes added later"). A migration makes
// the index `ON ONLY` the parent, which takes a moment and no day's rows; the leader then builds each day's own index
// CONCURRENTLY (writes go on) and attaches it. Until the last is attached the parent's index is not valid, and each
// day is read with the indexes it has. A day made meanwhile gets its index as it is attached (partitions.ts).
// An upgrade's tables beside the old records (record-repartition.ts) are left until they are swapped in: the swap
// locks every day of theirs, and would wait on a day being built while it holds the old table's writers.
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { poolOf } from '../../db/pool.js';
import type { Logger } from '../../logger.js';
import {
  attachPartitionIndexSql,
  buildPartitionIndexSql,
  dropPartitionIndexSql,
  INVALID_PARTITIONED_INDEXES_SQL,
  indexSuffix,
  PARTITIONS_WITHOUT_INDEX_SQL,
  partitionIndexName,
} from '../../sql/partitions.js';
import { RECORD_TABLES_BESIDE } from '../../sql/record-partitions.js';

/** The first key of the advisory lock a build holds on its day's index (the second is the index name's hash). */
const BUILD_LOCK_KEY = 7_130_002;

export class PartitionIndexes {
  constructor(
    private readonly db: DataSource,
    private readonly logger?: Logger,
  ) {}

  /**
   * The leader's job: every partition's missing index of every partitioned index not yet valid, built one at a time,
   * newest day first (the days the lists read most). Returns the indexes built. A failed build is logged and left for
   * the next round, which drops what it left and builds again.
   */
  async buildMissing(): Promise<string[]> {
    const built: string[] = [];
    const indexes: { index: string; table: string; definition: string }[] = await this.db.query(INVALID_PARTITIONED_INDEXES_SQL);
    for (const { index, table, definition } of indexes) {
      if (table === RECORD_TABLES_BESIDE.records || table === RECORD_TABLES_BESIDE.attempts) continue;
      const suffix = indexSuffix(index, table);
      const missing: { partition: string; named_exists: boolean; named_valid: boolean }[] = await this.db.query(
        PARTITIONS_WITHOUT_INDEX_SQL,
        [table, index, suffix],
      );
      let made = 0;
      for (const { partition, named_exists, named_valid } of missing) {
        try {
          const name = partitionIndexName(partition, suffix);
          const step = named_exists && !named_valid ? 'rebuild' : named_valid ? 'attach' : 'build';
          if (await this.build(index, definition, partition, name, step)) {
            built.push(name);
            made++;
          }
        } catch (error) {
          this.logger?.warn('could not build a partition index; will retry', { index, partition, error: String(error) });
        }
      }
      if (missing.length > 0) this.logger?.info('partition indexes built', { index, built: made, missing: missing.length });
    }
    return built;
  }

  /**
   * One partition's index: built CONCURRENTLY (no transaction around it), then attached, on a connection of its own
   * without the pool's statement and query timeouts: a day of a billion records a month (~33M) takes minutes. False
   * when another session holds the index's build lock: a build whose process went away without PostgreSQL noticing
   * (an invalid index that is still being built must not be dropped under it).
   */
  private async build(index: string, definition: string, partition: string, name: string, step: 'build' | 'rebuild' | 'attach') {
    const client = new pg.Client({
      ...(poolOf(this.db).options as pg.ClientConfig),
      statement_timeout: undefined,
      query_timeout: undefined,
    });
    await client.connect();
    try {
      // A build whose client is gone stops within a second, instead of running on to its end.
      await client.query(`SET client_connection_check_interval = '1s'`);
      const { rows } = await client.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS mine', [BUILD_LOCK_KEY, name]);
      if (!rows[0].mine) return false;
      if (step === 'rebuild') await client.query(dropPartitionIndexSql(name));
      if (step !== 'attach') await client.query(buildPartitionIndexSql(definition, partition, name));
      // Attaching locks the day's index against its writers for a moment: behind a long reader of the day it gives up
      // (the next round attaches) rather than queue the day's writes behind it.
      await client.query(`SET lock_timeout = '2s'`);
      await client.query(attachPartitionIndexSql(index, name));
      return true;
    } finally {
      // Ending the session releases the build lock.
      await client.end().catch(() => {});
    }
  }
}
