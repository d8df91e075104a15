// Whether `records` may still hold rows without a partition key: only while an upgrade's copy has not swapped the
// partitioned tables in (docs/scaling.md, "Upgrading an installation that has records"). A run's reads must then
// take such rows too (inRunPartition's `keyless`), which costs their plans the run's statistics; once the records
// are partitioned they stay so, and the reads drop that condition.
import type { DataSource } from 'typeorm';
import { IS_PARTITIONED_SQL } from '../../sql/partitions.js';
import { RECORD_TABLES } from '../../sql/record-partitions.js';

/** How long an answer of "not partitioned yet" is kept before the catalog is asked again. */
const RECHECK_MS = 60_000;

export class RecordLayout {
  private partitioned = false;
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly db: DataSource) {}

  /** True while rows without a partition key may exist (also before the first answer, and when the catalog fails). */
  async keylessRows(): Promise<boolean> {
    if (this.partitioned) return false;
    if (Date.now() - this.checkedAt >= RECHECK_MS) {
      this.checkedAt = Date.now();
      const [row]: { partitioned: boolean }[] = await this.db.query(IS_PARTITIONED_SQL, [RECORD_TABLES.records]);
      this.partitioned = row?.partitioned === true;
    }
    return !this.partitioned;
  }
}
