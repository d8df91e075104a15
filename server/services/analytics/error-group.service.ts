// Error groups: failures grouped by fingerprint, and operators' resolutions of them, per tenant scope.
import type { DataSource, EntityManager } from 'typeorm';
import { inReadOnlySnapshot } from '../../db/read-only-snapshot.js';
import type { Actor } from '../../domain/actor.js';
import { alignDown, alignUp, HOUR_MS } from '../../domain/analytics-range.js';
import { checkPageSize } from '../../domain/cursor.js';
import { checkFingerprint, type ErrorGroupState, errorGroupWindow } from '../../domain/error-group.js';
import { conflict, notFound } from '../../domain/errors.js';
import { FAILED_RECORD_STATUSES } from '../../domain/record-outcome.js';
import { optionalText } from '../../domain/text-limits.js';
import { countedFailuresSql } from '../../sql/error-group-counts.js';
import {
  FAILURES_BY_TENANT_SQL,
  groupsSql,
  REOPEN_SQL,
  RESOLVE_SQL,
  recordFailuresSql,
  SERIAL_PLAN_SQL,
  VISIBLE_FAILURE_SQL,
} from '../../sql/error-groups.js';
import { inKeyBounds, KEYS_STARTED_SINCE_SQL } from '../../sql/record-partitions.js';
import type { AuditService } from '../access/audit.service.js';
import {
  type DateRange,
  errorCountsKeep,
  preparedErrorCountConditions,
  preparedRecordConditions,
  type RecordFilter,
} from '../lists/filters.js';

export interface ErrorGroupView {
  fingerprint: string;
  errorCode: string | null;
  sampleMessage: string;
  count: number;
  runCount: number;
  retryable: boolean;
  firstSeen: Date;
  lastSeen: Date;
  state: ErrorGroupState;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

interface GroupRow {
  fingerprint: string;
  error_code: string | null;
  sample_message: string;
  count: string;
  run_count: string;
  retryable: boolean;
  first_seen: Date;
  last_seen: Date;
  state: ErrorGroupState;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution_note: string | null;
}

export interface ErrorGroupQuery {
  range?: DateRange | null;
  filter?: RecordFilter | null;
  first: number;
  states?: ErrorGroupState[] | null;
}

/** Resolutions are kept per tenant scope: a tenant-bound key's, or (null) that of keys bound to no tenant. */
const scopeOf = (actor: Actor) => actor.tenantId;

export class ErrorGroupService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    /** What the groups are read on: a replica when there is one (db/read-routing.ts); resolutions write on `db`. */
    private readonly reader: DataSource = db,
  ) {}

  /** Groups of the failures the actor may see, in the window and filter: REGRESSED first, then by count and last seen. */
  list(actor: Actor, query: ErrorGroupQuery): Promise<ErrorGroupView[]> {
    checkPageSize(query.first);
    const window = errorGroupWindow(query.range, new Date());
    // One snapshot: the days the window's edges are read in (parts()) are those holding records when the groups are
    // counted, a long run's record committed in between included.
    return inReadOnlySnapshot(this.reader, (manager) =>
      this.groups(manager, actor, query.filter, window, query.states ?? null, query.first),
    );
  }

  async resolve(actor: Actor, fingerprint: string, note: string | null | undefined): Promise<ErrorGroupView> {
    checkFingerprint(fingerprint, 'fingerprint');
    const text = optionalText(note, 'note', 2000);
    return this.db.transaction(async (manager) => {
      await this.checkVisible(manager, actor, fingerprint);
      await manager.query(RESOLVE_SQL, [fingerprint, scopeOf(actor), actor.name, text]);
      const touched = await this.failuresByTenant(manager, actor, fingerprint);
      await this.audit.writeTouched(manager, actor, 'resolveErrorGroup', `error-group:${fingerprint}`, { note: text }, touched, {
        note: text,
      });
      return this.one(manager, actor, fingerprint);
    });
  }

  async reopen(actor: Actor, fingerprint: string): Promise<ErrorGroupView> {
    checkFingerprint(fingerprint, 'fingerprint');
    return this.db.transaction(async (manager) => {
      await this.checkVisible(manager, actor, fingerprint);
      const [removed]: { resolved_at: Date; resolved_by: string; resolution_note: string | null }[] = await manager.query(REOPEN_SQL, [
        fingerprint,
        scopeOf(actor),
      ]);
      if (!removed) throw conflict(`error group ${fingerprint} is already OPEN`);
      const details = { resolvedAt: removed.resolved_at, resolvedBy: removed.resolved_by, note: removed.resolution_note };
      const touched = await this.failuresByTenant(manager, actor, fingerprint);
      await this.audit.writeTouched(manager, actor, 'reopenErrorGroup', `error-group:${fingerprint}`, details, touched, details);
      return this.one(manager, actor, fingerprint);
    });
  }

  /** The group's failures per tenant the actor sees: whose data a resolution or reopening concerns (for the audit log). */
  private async failuresByTenant(manager: EntityManager, actor: Actor, fingerprint: string): Promise<Map<string | null, number>> {
    const rows: { tenant_id: string | null; n: number }[] = await manager.query(FAILURES_BY_TENANT_SQL, [
      fingerprint,
      scopeOf(actor),
      FAILED_RECORD_STATUSES,
    ]);
    return new Map(rows.map((row) => [row.tenant_id, row.n]));
  }

  /** NOT_FOUND unless a failure with the fingerprint is visible to the actor (never a hint about other tenants). */
  private async checkVisible(manager: EntityManager, actor: Actor, fingerprint: string): Promise<void> {
    const [{ visible }] = await manager.query(VISIBLE_FAILURE_SQL, [fingerprint, scopeOf(actor), FAILED_RECORD_STATUSES]);
    if (!visible) throw notFound('error group', fingerprint);
  }

  /** One group as the mutations return it: counted over all retained history. */
  private async one(manager: EntityManager, actor: Actor, fingerprint: string): Promise<ErrorGroupView> {
    const [group] = await this.groups(manager, actor, { errorFingerprint: fingerprint }, null, null, 1);
    if (!group) throw notFound('error group', fingerprint);
    return group;
  }

  /** In a transaction (SET LOCAL). */
  private async groups(
    manager: EntityManager,
    actor: Actor,
    filter: RecordFilter | null | undefined,
    window: { from: Date; to: Date } | null,
    states: ErrorGroupState[] | null,
    first: number,
  ): Promise<ErrorGroupView[]> {
    // A week's cells (~28,000 at 10M records) are worth two parallel workers to PostgreSQL's costs; on two cores
    // gathering their rows took 43 ms against 28 ms in one process. A window's groups are never read in bulk.
    await manager.query(SERIAL_PLAN_SQL);
    const statement = new GroupStatement(actor, filter);
    const parts = await statement.parts(manager, window);
    const placeholders = {
      scope: statement.bind(scopeOf(actor), 'text'),
      failed: statement.failed,
      states: statement.bind(states, 'text[]'),
      first: statement.bind(first, 'integer'),
      sampleKeysFrom: statement.sampleKeysFrom,
    };
    const rows: GroupRow[] = await manager.query(groupsSql(parts, placeholders), statement.values);
    return rows.map((row) => ({
      fingerprint: row.fingerprint,
      errorCode: row.error_code,
      sampleMessage: row.sample_message,
      count: Number(row.count),
      runCount: Number(row.run_count),
      retryable: row.retryable,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      state: row.state,
      resolvedAt: row.resolved_at,
      resolvedBy: row.resolved_by,
      resolutionNote: row.resolution_note,
    }));
  }
}

/** The values of one errorGroups statement, bound as its parts need them (PostgreSQL refuses a value no part reads). */
class GroupStatement {
  readonly values: unknown[] = [];
  /** The statuses that count as a failure (the sample is always read from the records). */
  readonly failed = this.bind(FAILED_RECORD_STATUSES, 'record_status[]');
  /** The records filter's conditions, bound once a part reads the records. */
  private recordConditions: string[] | null = null;
  /** The partition key from which on the days hold the window's records, when parts() read it (GroupPlaceholders). */
  sampleKeysFrom: string | undefined;

  constructor(
    private readonly actor: Actor,
    private readonly filter: RecordFilter | null | undefined,
  ) {}

  /** A typed placeholder of `value`. */
  bind(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }

  /**
   * Failures per fingerprint and run read from the records, started in [fromMs, toMs) when given; only in the days
   * from `keysFrom` on when given (the days holding records started since fromMs: KEYS_STARTED_SINCE_SQL).
   */
  records(fromMs?: number, toMs?: number, keysFrom?: Date): string {
    this.recordConditions ??= preparedRecordConditions('rec', this.actor, this.filter, { values: this.values }).conditions;
    const range =
      fromMs === undefined || toMs === undefined
        ? undefined
        : { from: this.at(fromMs), to: this.at(toMs), minutes: toMs - fromMs < HOUR_MS };
    const days = keysFrom ? [inKeyBounds('rec', this.bind(keysFrom, 'timestamptz'), "'infinity'::timestamptz", true)] : [];
    return recordFailuresSql([...this.recordConditions, ...days], this.failed, range);
  }

  /**
   * The failures of a window (all retained history when null), per fingerprint and run: its whole hours from the
   * error-group counts when they keep what the filter names (a week's groups then add up a few thousand cells
   * instead of every failure), the minutes at either edge from the records, in the days holding them only (read
   * first: an edge otherwise planned a month of days' indexes); any other filter from the records.
   */
  async parts(manager: EntityManager, window: { from: Date; to: Date } | null): Promise<string[]> {
    if (!errorCountsKeep(this.filter)) return [window ? this.records(window.from.getTime(), window.to.getTime()) : this.records()];
    if (!window) return [countedFailuresSql(this.countConditions(), null)];
    const [from, to] = [window.from.getTime(), window.to.getTime()];
    const hoursFrom = alignUp(from, HOUR_MS);
    const hoursTo = alignDown(to, HOUR_MS);
    if (hoursFrom >= hoursTo) return [this.records(from, to)];
    const parts = [countedFailuresSql(this.countConditions(), { from: this.at(hoursFrom), to: this.at(hoursTo) })];
    const edges = [...(from < hoursFrom ? [[from, hoursFrom]] : []), ...(hoursTo < to ? [[hoursTo, to]] : [])];
    if (edges.length === 0) return parts;
    const [{ keys }]: { keys: Date[] }[] = await manager.query(KEYS_STARTED_SINCE_SQL, [edges.map(([since]) => new Date(since))]);
    for (const [i, [since, until]] of edges.entries()) parts.push(this.records(since, until, keys[i]));
    if (edges[0][0] === from) this.sampleKeysFrom = this.bind(keys[0], 'timestamptz');
    return parts;
  }

  private countConditions(): string[] {
    return preparedErrorCountConditions('c', this.actor, this.filter, { values: this.values }).conditions;
  }

  private at(ms: number): string {
    return this.bind(new Date(ms), 'timestamptz');
  }
}
