// Indexes added to a partitioned table after it holds data (docs/scaling.md, "Indexes added later"). A migration makes
// the index `ON ONLY` the parent, which takes a moment and no day's rows; the leader then builds each day's own index
// CONCURRENTLY (writes go on) and attaches it. Until the last is attached the parent's index is not valid, and each
// day is read with the indexes it has. A day made meanwhile gets its index as it is attached (partitions.ts).
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
      const suffix = indexSuffix(index, table);
      const missing: { partition: string; named_exists: boolean; named_valid: boolean }[] = await this.db.query(
        PARTITIONS_WITHOUT_INDEX_SQL,
        [table, index, suffix],
      );
      let made = 0;
      for (const { partition, named_exists, named_valid } of missing) {
        const name = partitionIndexName(partition, suffix);
        try {
          await this.build(index, definition, partition, name, named_exists && !named_valid ? 'rebuild' : named_valid ? 'attach' : 'build');
          built.push(name);
          made++;
        } catch (error) {
          this.logger?.warn('could not build a partition index; will retry', { index: name, error: String(error) });
        }
      }
      if (missing.length > 0) this.logger?.info('partition indexes built', { index, built: made, missing: missing.length });
    }
    return built;
  }

  /**
   * One partition's index: built CONCURRENTLY (no transaction around it), then attached, on a connection of its own
   * without the pool's statement and query timeouts: a day of a billion records a month (~33M) takes minutes.
   */
  private async build(index: string, definition: string, partition: string, name: string, step: 'build' | 'rebuild' | 'attach') {
    const client = new pg.Client({
      ...(poolOf(this.db).options as pg.ClientConfig),
      statement_timeout: undefined,
      query_timeout: undefined,
    });
    await client.connect();
    try {
      if (step === 'rebuild') await client.query(dropPartitionIndexSql(name));
      if (step !== 'attach') await client.query(buildPartitionIndexSql(definition, partition, name));
      await client.query(attachPartitionIndexSql(index, name));
    } finally {
      await client.end().catch(() => {});
    }
  }
}
