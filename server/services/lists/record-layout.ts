// Whether `records` may still hold rows without a partition key: only while an upgrade's copy has not swapped the
// partitioned tables in (docs/scaling.md, "Upgrading an installation that has records"). A run's reads must then
// take such rows too (inRunPartition's `keyless`), which costs their plans the run's statistics; once the records
// are partitioned they stay so, and the reads drop that condition.
import type { DataSource } from 'typeorm';
import { IS_PARTITIONED_SQL } from '../../sql/partitions.js';
import { RECORD_TABLES } from '../../sql/record-partitions.js';

/** How long an answer of "not partitioned yet" is kept before the catalog is asked again. */
const RECHECK_MS = 60_000;

/**
 * How long after this process sees the swap happen it still takes rows without a key: the answer may come from the
 * primary while a page is read on a replica that has not replayed the swap yet (REPLICA_MAX_LAG_MS is seconds), and
 * for those seconds the replica's old table still has them. Records partitioned at the first answer were swapped
 * before this process started.
 */
const SETTLE_MS = 60_000;

export class RecordLayout {
  private partitionedSince: number | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private neverAnswered = true;

  constructor(private readonly db: DataSource) {}

  /** True while rows without a partition key may exist (also before the first answer, and when the catalog fails). */
  async keylessRows(): Promise<boolean> {
    const now = Date.now();
    if (this.partitionedSince === null && now - this.checkedAt >= RECHECK_MS) {
      this.checkedAt = now;
      try {
        const [row]: { partitioned: boolean }[] = await this.db.query(IS_PARTITIONED_SQL, [RECORD_TABLES.records]);
        const first = this.neverAnswered;
        this.neverAnswered = false;
        if (row?.partitioned === true) this.partitionedSince = first ? Number.NEGATIVE_INFINITY : now;
      } catch {
        this.checkedAt = Number.NEGATIVE_INFINITY; // asked again on the next read
        return true;
      }
    }
    return this.partitionedSince === null || now - this.partitionedSince < SETTLE_MS;
  }
}
