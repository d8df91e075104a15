// Time partitions (docs/scaling.md): one partition a UTC day, made ahead by the leader, dropped whole when expired.
// A table's default partition catches rows outside every day (written while no leader made the days); making a day
// moves that day's strays into it, and expiry deletes the old strays row by row (they are few).
import type { DataSource } from 'typeorm';
import { DAY_MS } from '../../domain/analytics-range.js';
import { ACTIVE_RUN_STATUSES } from '../../domain/run-lifecycle.js';
import type { Logger } from '../../logger.js';
import {
  createPartitionSql,
  DATABASE_TIME_SQL,
  dayPartitionName,
  deleteExpiredStraysSql,
  dropPartitionSql,
  INDEX_BEING_BUILT_SQL,
  IS_PARTITIONED_SQL,
  LOCK_TIMEOUT_SQL,
  PARTITIONS_SQL,
  STORED_COLUMNS_SQL,
  startOfUtcDay,
} from '../../sql/partitions.js';
import {
  dropRecordDaySql,
  fillStartMarksSql,
  PRUNE_START_MARKS_SQL,
  RECORD_PARTITION_KEY,
  RECORD_TABLES,
  recordPartitionStatisticsSql,
} from '../../sql/record-partitions.js';
import { RECORD_DAY_EXPIRED_SQL } from '../../sql/retention.js';

/** A table partitioned by range of one timestamp column. */
export interface PartitionedTable {
  table: string;
  key: string;
  /** More DDL each new partition gets, in the transaction that makes it (statistics PostgreSQL keeps per partition). */
  partitionDdl?: (partition: string) => string[];
}

export const EVENTS_TABLE: PartitionedTable = { table: 'events', key: 'at' };
export const RECORDS_TABLE: PartitionedTable = {
  table: RECORD_TABLES.records,
  key: RECORD_PARTITION_KEY,
  partitionDdl: recordPartitionStatisticsSql,
};
export const ATTEMPTS_TABLE: PartitionedTable = { table: RECORD_TABLES.attempts, key: RECORD_PARTITION_KEY };

/** Every partitioned table the leader keeps days ahead for. */
const PARTITIONED_TABLES = [EVENTS_TABLE, RECORDS_TABLE, ATTEMPTS_TABLE];

/** Days made ahead of today: a leader down for up to this long still finds tomorrow's partitions there. */
export const DAYS_AHEAD = 2;

/** Stray rows deleted from a default partition per statement. */
const STRAYS_SLICE = 10_000;

export interface Partition {
  name: string;
  isDefault: boolean;
  /** Null for the default partition and for MINVALUE. */
  from: Date | null;
  /** Null for the default partition. */
  to: Date | null;
}

export interface Expiry {
  partitionsDropped: string[];
  straysDeleted: number;
}

/**
 * Marks the latest start of each day a partitioned table of records (`records`, or an upgrade's copy beside it)
 * already holds (fillStartMarksSql), in `runner`'s transaction (migration 2980's).
 */
export async function markRecordStarts(
  runner: { query(sql: string, parameters?: unknown[]): Promise<unknown> },
  table: string,
): Promise<void> {
  const partitions = (await runner.query(PARTITIONS_SQL, [table])) as {
    name: string;
    is_default: boolean;
    range_from: Date | null;
  }[];
  const fill = fillStartMarksSql(partitions.map((p) => ({ name: p.name, from: p.range_from, isDefault: p.is_default })));
  if (fill) await runner.query(fill);
}

export class PartitionMaintenance {
  constructor(
    private readonly db: DataSource,
    private readonly logger?: Logger,
  ) {}

  /** The leader's job: one start mark a day left, its latest (PRUNE_START_MARKS_SQL). Returns how many went. */
  async pruneStartMarks(): Promise<number> {
    const [, deleted] = (await this.db.query(PRUNE_START_MARKS_SQL)) as [unknown, number];
    return deleted;
  }

  /** The partitions of a table, oldest first (the default and a MINVALUE one first). */
  async partitions(table: string): Promise<Partition[]> {
    const rows: { name: string; is_default: boolean; range_from: Date | null; range_to: Date | null }[] = await this.db.query(
      PARTITIONS_SQL,
      [table],
    );
    return rows.map((row) => ({ name: row.name, isDefault: row.is_default, from: row.range_from, to: row.range_to }));
  }

  /**
   * The leader's job: today's partition and DAYS_AHEAD more of every partitioned table, made where missing.
   * A day already partly covered (the old table's partition ends inside it) starts where that one ends.
   * Returns the partitions made.
   */
  async createAhead(): Promise<string[]> {
    const made = await this.createDays(startOfUtcDay(await this.databaseTime()), DAYS_AHEAD + 1);
    if (made.length > 0) this.logger?.info('partitions made ahead', { partitions: made });
    return made;
  }

  /**
   * The partitions of `count` days from `firstDay` (a UTC midnight) of every partitioned table, where missing; a day
   * whose start another partition covers starts where that one ends. Past days are for an installation's history
   * made in tests and benches, as a leader running then would have made them. Returns the partitions made.
   */
  async createDays(firstDay: Date, count: number): Promise<string[]> {
    const made: string[] = [];
    for (const { table, key, partitionDdl } of PARTITIONED_TABLES) {
      // A table not partitioned (yet: records before their copy is swapped in) has no days to make.
      const [{ partitioned }]: { partitioned: boolean }[] = await this.db.query(IS_PARTITIONED_SQL, [table]);
      if (!partitioned) continue;
      const ranges = (await this.partitions(table)).filter((p) => !p.isDefault);
      const columns: { name: string }[] = await this.db.query(STORED_COLUMNS_SQL, [table]);
      for (let n = 0; n < count; n++) {
        const day = new Date(firstDay.getTime() + n * DAY_MS);
        const next = new Date(day.getTime() + DAY_MS);
        let from = day;
        for (const range of ranges) {
          if ((range.from === null || range.from <= from) && range.to !== null && range.to > from) from = range.to;
        }
        // Covered already, or another partition starts inside the day: nothing to make.
        if (from >= next || ranges.some((range) => range.from !== null && range.from > from && range.from < next)) continue;
        const name = dayPartitionName(table, day);
        try {
          await this.inTransaction([
            ...createPartitionSql(
              table,
              key,
              columns.map((column) => column.name),
              name,
              from,
              next,
            ),
            ...(partitionDdl?.(name) ?? []),
          ]);
        } catch (error) {
          // A lock not had in time (a long reader of the default partition): the next round tries again.
          this.logger?.warn('could not make a partition; will retry', { partition: name, error: String(error) });
          break;
        }
        made.push(name);
        ranges.push({ name, isDefault: false, from, to: next });
      }
    }
    return made;
  }

  /**
   * Drops the partitions of `table` whose whole range is before `cutoff`, then deletes the default partition's rows
   * before it. A partition ending after the cutoff is kept whole: its rows before the cutoff stay until the whole day
   * is past it (a reader that must not see them says so in its own condition, as a resume's "still kept?" does).
   */
  async dropBefore({ table, key }: PartitionedTable, cutoff: Date): Promise<Expiry> {
    const expired = (await this.partitions(table)).filter((p) => !p.isDefault && p.to !== null && p.to <= cutoff);
    const expiry: Expiry = { partitionsDropped: [], straysDeleted: 0 };
    for (const partition of expired) {
      try {
        await this.inTransaction(dropPartitionSql(table, partition.name));
        expiry.partitionsDropped.push(partition.name);
      } catch (error) {
        this.logger?.warn('could not drop a partition; will retry', { partition: partition.name, error: String(error) });
      }
    }
    const strays = deleteExpiredStraysSql(table, key);
    for (;;) {
      const [{ n }]: { n: number }[] = await this.db.query(strays, [cutoff.toISOString(), STRAYS_SLICE]);
      expiry.straysDeleted += n;
      if (n < STRAYS_SLICE) break;
    }
    if (expiry.partitionsDropped.length > 0) this.logger?.info('expired partitions dropped', { partitions: expiry.partitionsDropped });
    return expiry;
  }

  /**
   * Retention of records by day (docs/scaling.md): each day of records, with its attempts, whose runs all ended over
   * `retentionDays` ago is detached and dropped whole. The runs of those days, their events and the CLEANUP runs are
   * the row-wise purge's (RetentionService), which then finds no records left to delete one by one. Returns the
   * record partitions dropped.
   */
  async dropExpiredRecordDays(retentionDays: number): Promise<string[]> {
    const [{ partitioned }]: { partitioned: boolean }[] = await this.db.query(IS_PARTITIONED_SQL, [RECORDS_TABLE.table]);
    if (!partitioned) return [];
    const cutoff = new Date((await this.databaseTime()).getTime() - retentionDays * DAY_MS);
    const attemptDays = (await this.partitions(ATTEMPTS_TABLE.table)).filter((p) => !p.isDefault);
    const days = (await this.partitions(RECORDS_TABLE.table)).filter((p) => !p.isDefault && p.from && p.to && p.to <= cutoff);
    const dropped: string[] = [];
    for (const day of days) {
      const [{ expired }]: { expired: boolean }[] = await this.db.query(RECORD_DAY_EXPIRED_SQL, [
        day.from,
        day.to,
        retentionDays,
        ACTIVE_RUN_STATUSES,
      ]);
      if (!expired) continue;
      const attempts = attemptDays.find((p) => p.from?.getTime() === day.from?.getTime() && p.to?.getTime() === day.to?.getTime());
      // A day being indexed (partition-indexes.ts) is dropped on a later round: its drop would hold the parent's lock
      // while it waited for the build, and every report's insert with it.
      const names = [day.name, ...(attempts ? [attempts.name] : [])];
      const [{ building }]: { building: boolean }[] = await this.db.query(INDEX_BEING_BUILT_SQL, [names]);
      if (building) {
        this.logger?.info('a day of records is being indexed; dropped on a later round', { partition: day.name });
        continue;
      }
      try {
        await this.inTransaction(dropRecordDaySql(day.name, attempts?.name ?? null, { from: day.from as Date, to: day.to as Date }));
        dropped.push(day.name);
      } catch (error) {
        // A lock not had in time (a long reader or writer of records): the next round tries again.
        this.logger?.warn('could not drop a day of records; will retry', { partition: day.name, error: String(error) });
      }
    }
    if (dropped.length > 0) this.logger?.info('expired days of records dropped', { partitions: dropped });
    return dropped;
  }

  /** The event retention job: events older than `retentionHours` go, a day's partition at a time. */
  async expireEvents(retentionHours: number): Promise<Expiry> {
    const now = await this.databaseTime();
    return this.dropBefore(EVENTS_TABLE, new Date(now.getTime() - retentionHours * 3_600_000));
  }

  private async databaseTime(): Promise<Date> {
    const [{ now }]: { now: Date }[] = await this.db.query(DATABASE_TIME_SQL);
    return now;
  }

  private async inTransaction(statements: string[]): Promise<void> {
    await this.db.transaction(async (manager) => {
      await manager.query(LOCK_TIMEOUT_SQL);
      for (const statement of statements) await manager.query(statement);
    });
  }
}
