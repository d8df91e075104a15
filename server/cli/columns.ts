// What each kind of row shows: the table's columns (sized to the terminal) and CSV's (all of them).
import type { ApiKeysQuery, CliAlertFragment, CliRecordFragment, CliRunFragment, ErrorGroupsQuery } from './generated/graphql.js';
import type { Column } from './output.js';

export const RUN_COLUMNS: Column<CliRunFragment>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'pipeline', value: (r) => r.pipeline.name },
  { header: 'status', value: (r) => r.status, colour: true },
  { header: 'mode', value: (r) => r.mode },
  { header: 'started', value: (r) => r.startedAt },
  { header: 'ended', value: (r) => r.endedAt, wideOnly: true },
  { header: 'duration ms', value: (r) => r.durationMs, wideOnly: true },
  { header: 'total', value: (r) => r.counts.total },
  { header: 'failed', value: (r) => r.counts.failed },
  { header: 'succeeded', value: (r) => r.counts.succeeded, wideOnly: true },
  { header: 'pending', value: (r) => r.counts.pending, wideOnly: true },
  { header: 'tenant', value: (r) => r.tenantId },
  { header: 'pipeline id', value: (r) => r.pipeline.id, wideOnly: true },
  { header: 'operation type', value: (r) => r.operationType, wideOnly: true },
  { header: 'triggered by', value: (r) => r.triggeredBy, wideOnly: true },
  { header: 'correlation id', value: (r) => r.correlationId, wideOnly: true },
  { header: 'error', value: (r) => r.error },
];

export const RECORD_COLUMNS: Column<CliRecordFragment>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'run', value: (r) => r.run.id, wideOnly: true },
  { header: 'entity', value: (r) => r.entityType },
  { header: 'source id', value: (r) => r.sourceId },
  { header: 'target id', value: (r) => r.targetId, wideOnly: true },
  { header: 'operation', value: (r) => r.operation },
  { header: 'status', value: (r) => r.status, colour: true },
  { header: 'attempts', value: (r) => r.attempts },
  { header: 'started', value: (r) => r.startedAt },
  { header: 'latency ms', value: (r) => r.latencyMs, wideOnly: true },
  { header: 'error code', value: (r) => r.errorCode },
  { header: 'error', value: (r) => r.errorMessage },
];

type ErrorGroup = ErrorGroupsQuery['errorGroups'][number];

export const ERROR_GROUP_COLUMNS: Column<ErrorGroup>[] = [
  { header: 'fingerprint', value: (g) => g.fingerprint },
  { header: 'state', value: (g) => g.state, colour: true },
  { header: 'count', value: (g) => g.count },
  { header: 'runs', value: (g) => g.runCount },
  { header: 'error code', value: (g) => g.errorCode },
  { header: 'first seen', value: (g) => g.firstSeen, wideOnly: true },
  { header: 'last seen', value: (g) => g.lastSeen },
  { header: 'message', value: (g) => g.sampleMessage },
];

export const ALERT_COLUMNS: Column<CliAlertFragment>[] = [
  { header: 'id', value: (a) => a.id },
  { header: 'state', value: (a) => a.state, colour: true },
  { header: 'severity', value: (a) => a.severity },
  { header: 'rule', value: (a) => a.rule.name },
  { header: 'pipeline', value: (a) => a.pipeline?.name },
  { header: 'fired', value: (a) => a.firedAt },
  { header: 'value', value: (a) => a.value, wideOnly: true },
  { header: 'acknowledged', value: (a) => a.acknowledgedAt, wideOnly: true },
  { header: 'acknowledged by', value: (a) => a.acknowledgedBy, wideOnly: true },
  { header: 'resolved', value: (a) => a.resolvedAt, wideOnly: true },
  { header: 'rule id', value: (a) => a.rule.id, wideOnly: true },
  { header: 'pipeline id', value: (a) => a.pipeline?.id, wideOnly: true },
  { header: 'run', value: (a) => a.run?.id, wideOnly: true },
  { header: 'fingerprint', value: (a) => a.fingerprint, wideOnly: true },
  { header: 'summary', value: (a) => a.summary },
];

/** Keys as the API lists them: never a secret (it keeps only hashes). */
export const KEY_COLUMNS: Column<ApiKeysQuery['apiKeys'][number]>[] = [
  { header: 'id', value: (k) => k.id },
  { header: 'name', value: (k) => k.name },
  { header: 'role', value: (k) => k.role },
  { header: 'tenant', value: (k) => k.tenantId },
];

/** Any flat object: one column per field (results of actions, keys, whoami). */
export function fieldColumns<T extends object>(row: T): Column<T>[] {
  return Object.keys(row).map((key) => ({
    header: key,
    value: (r: T) => {
      const value = (r as Record<string, unknown>)[key];
      return value !== null && typeof value === 'object' ? JSON.stringify(value) : (value as string);
    },
    colour: key === 'status' || key === 'state',
  }));
}
