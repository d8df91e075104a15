// The live streams of the API, as filters over the hub's events. Each returns plain
// values shaped like the GraphQL types; one RunEvent value is shared by all its subscribers.
import { type Actor, sees } from '../domain/actor.js';
import type { RunStatus, WorkerCommandType } from '../domain/enums.js';
import { asksForAttempts, type RecordFilter, type RunFilter } from '../domain/filter-rules.js';
import { checkIds, isUuid } from '../domain/ids.js';
import type { Alert } from '../entities/Alert.js';
import type { SyncRecord } from '../entities/SyncRecord.js';
import type { SyncRun } from '../entities/SyncRun.js';
import type { EventHub } from './event-hub.js';
import type { LiveEvent, Related } from './live-event.js';
import { checkRecordFilter, checkRunFilter, recordMatches, runMatches } from './live-filters.js';
import { LiveSubscription } from './live-subscription.js';
import { decodeEventCursor } from './position.js';

/** What a stream needs of whatever sends it to its subscriber (graphql/ws/ over a socket), and what it says back. */
export interface LiveTransport {
  hub: EventHub;
  /** Values waiting to be sent before the subscriber is closed as too slow. */
  maxBuffered: number;
  /** Closes the subscriber that could not keep up (the transport picks how). */
  closeTooSlow(): void;
  /**
   * Set by the stream: whether every subscriber of the same document, variables, role and tenant receives the
   * same values from now on (false when it replays from `since`: its backlog is its own).
   */
  sameForAll: boolean;
}

export interface RunEventValue {
  cursor: string;
  run: SyncRun;
  previousStatus: RunStatus | null;
  /** What the event re-read beside the run (its pipeline), for the subscription's loaders. */
  related: Related;
}

export interface RecordBatchValue {
  cursor: string;
  runId: string;
  records: SyncRecord[];
  /** What the event re-read beside the records (their run and its pipeline), for the subscription's loaders. */
  related: Related;
}

export interface WorkerCommandValue {
  type: WorkerCommandType;
  runId: string;
}

const runValues = new WeakMap<LiveEvent, RunEventValue>();

function options(transport: LiveTransport) {
  return {
    hub: transport.hub,
    maxBuffered: transport.maxBuffered,
    onOverflow: () => transport.closeTooSlow(),
  };
}

export function runStream(
  transport: LiveTransport,
  actor: Actor,
  filter: RunFilter | null | undefined,
  since: string | null | undefined,
): Promise<AsyncIterableIterator<RunEventValue>> {
  checkRunFilter(filter);
  transport.sameForAll = !since;
  return LiveSubscription.open<RunEventValue>({
    ...options(transport),
    since: since ? decodeEventCursor(since) : null,
    scope: { kinds: ['run'], tenantId: actor.tenantId, pipelineIds: filter?.pipelineIds },
    select(event) {
      if (
        event.kind !== 'run' ||
        !sees(actor, event.tenantId) ||
        !runMatches(filter, event.run, event.pipelineName, transport.hub.caseFold)
      )
        return null;
      let value = runValues.get(event);
      if (!value) {
        value = {
          cursor: event.cursor,
          run: event.run,
          previousStatus: event.change === 'status' ? event.previousStatus : null,
          related: event.related,
        };
        runValues.set(event, value);
      }
      return value;
    },
  });
}

export function recordStream(
  transport: LiveTransport,
  actor: Actor,
  runId: string | null | undefined,
  filter: RecordFilter | null | undefined,
  since: string | null | undefined,
): Promise<AsyncIterableIterator<RecordBatchValue>> {
  if (runId != null) checkIds([runId], isUuid, 'runId');
  checkRecordFilter(filter);
  transport.sameForAll = !since;
  // As in the records query: a retry run's attempts only when asked for (its original's batch follows anyway).
  const withAttempts = runId != null || asksForAttempts(filter);
  return LiveSubscription.open<RecordBatchValue>({
    ...options(transport),
    since: since ? decodeEventCursor(since) : null,
    scope: { kinds: ['records'], tenantId: actor.tenantId, runId, pipelineIds: filter?.pipelineIds },
    select(event) {
      if (event.kind !== 'records' || !sees(actor, event.tenantId) || (runId != null && event.runId !== runId)) return null;
      const records = event.records.filter(
        (record) => (withAttempts || record.originRecordId === null) && (!filter || recordMatches(filter, record, transport.hub.caseFold)),
      );
      return records.length > 0 ? { cursor: event.cursor, runId: event.runId, records, related: event.related } : null;
    },
  });
}

export function commandStream(
  transport: LiveTransport,
  actor: Actor,
  pipelineId: string,
): Promise<AsyncIterableIterator<WorkerCommandValue>> {
  transport.sameForAll = true;
  return LiveSubscription.open<WorkerCommandValue>({
    ...options(transport),
    since: null,
    scope: { kinds: ['command'], tenantId: actor.tenantId, pipelineIds: [pipelineId] },
    select(event) {
      if (event.kind !== 'command' || event.pipelineId !== pipelineId || !sees(actor, event.tenantId)) return null;
      return { type: event.type, runId: event.runId };
    },
  });
}

export interface AlertEventValue {
  cursor: string;
  alert: Alert;
}

/** Alerts fired, acknowledged and resolved, of the rules the actor sees (a tenant-bound key: its tenant's). */
export function alertStream(
  transport: LiveTransport,
  actor: Actor,
  since: string | null | undefined,
): Promise<AsyncIterableIterator<AlertEventValue>> {
  transport.sameForAll = !since;
  return LiveSubscription.open<AlertEventValue>({
    ...options(transport),
    since: since ? decodeEventCursor(since) : null,
    scope: { kinds: ['alert'], tenantId: actor.tenantId },
    select(event) {
      if (event.kind !== 'alert' || !sees(actor, event.tenantId)) return null;
      return { cursor: event.cursor, alert: event.alert };
    },
  });
}
