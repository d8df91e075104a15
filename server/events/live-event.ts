// Event rows turned into what subscribers are sent: runs, their pipelines and records re-read in one query per
// kind for a whole batch of events, shared by every subscriber of this instance. What was read travels with the
// event (`related`), so a subscription answering a run's pipeline or a record's run asks the database nothing more:
// at a fleet's rate, one query per event and subscriber was the whole cost of a live history.
import { type DataSource, In } from 'typeorm';
import type { RunStatus, WorkerCommandType } from '../domain/enums.js';
import { Alert } from '../entities/Alert.js';
import { Pipeline } from '../entities/Pipeline.js';
import { SyncRecord } from '../entities/SyncRecord.js';
import { SyncRun } from '../entities/SyncRun.js';
import { inKeyBounds, inRunsPartitions, keyBoundsOf } from '../sql/record-partitions.js';
import type { RunChange, RunState } from './event-log.js';
import type { StoredEvent } from './event-store.js';
import { type EventPosition, encodeEventCursor } from './position.js';

/** The rows an event's values point to, as re-read with it (for a subscription's loaders). */
export interface Related {
  run: SyncRun | null;
  pipeline: Pipeline | null;
}

interface Common {
  position: EventPosition;
  cursor: string;
  runId: string;
  pipelineId: string;
  tenantId: string | null;
  related: Related;
}

export type LiveEvent =
  | (Common & {
      kind: 'run';
      change: RunChange;
      previousStatus: RunStatus | null;
      run: SyncRun;
      pipelineName: string | null;
    })
  | (Common & { kind: 'records'; records: SyncRecord[] })
  | (Common & { kind: 'command'; type: WorkerCommandType })
  | { kind: 'alert'; position: EventPosition; cursor: string; tenantId: string | null; alert: Alert };

/** What the current subscribers need re-read; a kind nobody listens to costs no query. */
export interface Needs {
  runs: boolean;
  records: boolean;
  /** Alerts re-read for alert events (absent: not needed). */
  alerts?: boolean;
}

// Postgres takes at most 65,535 parameters a query.
const ID_CHUNK = 10_000;

export async function materialize(db: DataSource, events: StoredEvent[], needs: Needs): Promise<LiveEvent[]> {
  const runIds = new Set<string>();
  const recordIds = new Set<string>();
  for (const event of events) {
    if (event.kind === 'run' && needs.runs) runIds.add(event.runId);
    if (event.kind === 'records' && needs.records) {
      runIds.add(event.runId);
      for (const id of event.payload.recordIds) recordIds.add(id);
    }
  }
  const runs = runIds.size ? await db.getRepository(SyncRun).findBy({ id: In([...runIds]) }) : [];
  const runById = new Map(runs.map((run) => [run.id, run]));
  const pipelineIds = [...new Set(runs.map((run) => run.pipelineId))];
  const pipelines = pipelineIds.length ? await db.getRepository(Pipeline).findBy({ id: In(pipelineIds) }) : [];
  const pipelineById = new Map(pipelines.map((p) => [p.id, p]));
  const records: SyncRecord[] = [];
  const ids = [...recordIds];
  const recordRunIds = [...new Set(events.flatMap((event) => (event.kind === 'records' ? [event.runId] : [])))];
  // The runs just read give their records' days as values, which PostgreSQL prunes by while planning; a run gone
  // meanwhile leaves the days read as the statement runs (every day planned).
  const created = recordRunIds.map((id) => runById.get(id)?.createdAt);
  const bounds = created.length > 0 && created.every((at) => at instanceof Date) ? keyBoundsOf(created as Date[]) : undefined;
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    // Confined to the days of the events' runs: by id alone, every day's partition would be probed for each id.
    const batch = db
      .getRepository(SyncRecord)
      .createQueryBuilder('r')
      .where('r.id IN (:...ids)', { ids: ids.slice(i, i + ID_CHUNK) });
    if (bounds) batch.andWhere(inKeyBounds('r', ':from', ':to', true), { from: bounds[0], to: bounds[1] });
    else batch.andWhere(inRunsPartitions('r', 'CAST(:runIds AS uuid[])'), { runIds: recordRunIds });
    records.push(...(await batch.getMany()));
  }
  const recordById = new Map(records.map((record) => [record.id, record]));
  const alertIds = needs.alerts ? [...new Set(events.flatMap((e) => (e.kind === 'alert' ? [e.payload.alertId] : [])))] : [];
  const alerts = alertIds.length ? await db.getRepository(Alert).findBy({ id: In(alertIds) }) : [];
  const alertById = new Map(alerts.map((alert) => [alert.id, alert]));

  const live: LiveEvent[] = [];
  for (const event of events) {
    if (event.kind === 'alert') {
      const alert = alertById.get(event.payload.alertId);
      if (alert)
        live.push({ kind: 'alert', position: event.position, cursor: encodeEventCursor(event.position), tenantId: event.tenantId, alert });
      continue;
    }
    const current = runById.get(event.runId) ?? null;
    const common: Common = {
      position: event.position,
      cursor: encodeEventCursor(event.position),
      runId: event.runId,
      pipelineId: event.pipelineId,
      tenantId: event.tenantId,
      related: { run: current, pipeline: pipelineById.get(event.pipelineId) ?? null },
    };
    if (event.kind === 'run') {
      if (!current) continue; // not needed, or deleted since
      const { change, previousStatus, state } = event.payload;
      const run = state ? asOf(current, state) : current;
      live.push({ ...common, kind: 'run', change, previousStatus, run, pipelineName: common.related.pipeline?.name ?? null });
    } else if (event.kind === 'records') {
      if (!needs.records) continue;
      const batch = event.payload.recordIds.map((id) => recordById.get(id)).filter((r): r is SyncRecord => r !== undefined);
      live.push({ ...common, kind: 'records', records: batch });
    } else {
      live.push({ ...common, kind: 'command', type: event.payload.type });
    }
  }
  return live;
}

const toDate = (text: string | null): Date | null => (text === null ? null : new Date(text));

/** The run as an event saw it: its re-read row with the event's state laid over (same class, for field resolvers). */
function asOf(run: SyncRun, state: RunState): SyncRun {
  const counts = Object.assign(Object.create(Object.getPrototypeOf(run.counts)), run.counts, state.counts);
  return Object.assign(Object.create(Object.getPrototypeOf(run)) as SyncRun, run, {
    status: state.status,
    startedAt: toDate(state.startedAt),
    endedAt: toDate(state.endedAt),
    leaseExpiresAt: toDate(state.leaseExpiresAt),
    error: state.error,
    expectedTotal: state.expectedTotal,
    retryOfId: state.retryOfId,
    counts,
  });
}
