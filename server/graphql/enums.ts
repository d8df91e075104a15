// Registers the domain enums with GraphQL, with a description for every value.
import { registerEnumType } from 'type-graphql';
import { AlertCondition, AlertSeverity, AlertState, ChannelKind, DeliveryStatus } from '../domain/alerts.js';
import {
  ExportStatus,
  RecordOperation,
  RecordSortField,
  RecordStatus,
  Role,
  RunSortField,
  RunStatus,
  SortDirection,
  SyncDirection,
  SyncMode,
  TimeInterval,
  WorkerCommandType,
} from '../domain/enums.js';
import { ErrorGroupState } from '../domain/error-group.js';
import { PipelineHealthStatus } from '../domain/pipeline-health.js';

const d = (description: string) => ({ description });

registerEnumType(SyncMode, {
  name: 'SyncMode',
  description: 'How a run was started.',
  valuesConfig: {
    REAL_TIME: d('Started by a change in the source system, as it happened.'),
    MANUAL: d('Started by a person from the dashboard or a script.'),
    SCHEDULED: d('Started by the pipeline’s schedule.'),
    ON_DEMAND: d('Started by another system through the API.'),
    RETRY: d('Re-attempts failed records of earlier runs.'),
    CLEANUP: d('Housekeeping: retention of old history.'),
  },
});

registerEnumType(SyncDirection, {
  name: 'SyncDirection',
  description: 'Which way a pipeline moves data, seen from the source system.',
  valuesConfig: {
    PUSH: d('The source system pushes records into the target.'),
    PULL: d('The target system pulls records from the source.'),
  },
});

registerEnumType(RunStatus, {
  name: 'RunStatus',
  description: 'Where a run is in its lifecycle.',
  valuesConfig: {
    QUEUED: d('Waiting for a worker to claim it.'),
    RUNNING: d('A worker holds it under a lease and is reporting records.'),
    CANCELLING: d('A cancel was requested; the worker has not confirmed yet.'),
    SUCCEEDED: d('Finished with no failed record.'),
    COMPLETED_WITH_ERRORS: d('Finished, and at least one record failed.'),
    FAILED: d('The session itself broke (system failure or lost worker): the whole run needs to run again.'),
    CANCELLED: d('Stopped on request before it finished.'),
    ROLLED_BACK: d('Finished, and the worker undid its changes in the target.'),
  },
});

registerEnumType(RecordStatus, {
  name: 'RecordStatus',
  description: 'The state of one record in its latest attempt.',
  valuesConfig: {
    PENDING: d('Known to the run, not yet processed.'),
    EXTRACTING: d('Being read from the source system.'),
    IN_PROGRESS: d('Being written to the target system.'),
    SUCCESS: d('Written to the target system.'),
    PARTIAL_SUCCESS: d('Written, but some of its parts or fields were not.'),
    PARTIALLY_FAILED: d('Some of its parts failed and need attention.'),
    FAILED: d('Writing to the target failed. When `retryable`, `nextRetryAt` says when the automatic retry is due.'),
    EXTRACTION_FAILED: d('Reading from the source failed.'),
    SKIPPED: d('Deliberately not synced (unchanged or filtered out).'),
    RETRY_SCHEDULED: d('Failed, and its next attempt is in a queued or running RETRY run (automatic or by an operator).'),
    DEAD_LETTERED: d('Automatic retries are exhausted; waits for an operator to replay or discard it.'),
    DISCARDED: d('An operator closed it without another attempt.'),
    CANCELLED: d('Its run was cancelled before it was processed.'),
  },
});

registerEnumType(RecordOperation, {
  name: 'RecordOperation',
  description: 'What a record does to the target system.',
  valuesConfig: {
    CREATE: d('Creates a new entity in the target.'),
    UPDATE: d('Updates an existing entity in the target.'),
    DELETE: d('Deletes an entity from the target.'),
  },
});

registerEnumType(Role, {
  name: 'Role',
  description: 'What an API key may do.',
  valuesConfig: {
    VIEWER: d('Reads and subscribes.'),
    OPERATOR: d('Reads, and also retries, cancels, triggers syncs, exports and handles dead letters.'),
    INGEST: d('Reads, and reports runs and records: what pipeline workers use.'),
    ADMIN: d('Everything, including pipelines, API keys and retention.'),
  },
});

registerEnumType(TimeInterval, {
  name: 'TimeInterval',
  description: 'Bucket size of a time series.',
  valuesConfig: {
    MINUTE: d('One-minute buckets; for ranges up to 6 hours.'),
    HOUR: d('One-hour buckets; for ranges up to 60 hours.'),
    DAY: d('One-day buckets (UTC days); for any range.'),
  },
});

registerEnumType(SortDirection, {
  name: 'SortDirection',
  description: 'Order of a sorted list.',
  valuesConfig: {
    ASC: d('Oldest or smallest first.'),
    DESC: d('Newest or largest first.'),
  },
});

registerEnumType(RunSortField, {
  name: 'RunSortField',
  description: 'What runs are sorted by; ties are broken by id. A run not yet started or ended sorts as the newest.',
  valuesConfig: {
    STARTED_AT: d('When the run started.'),
    ENDED_AT: d('When the run ended.'),
  },
});

registerEnumType(RecordSortField, {
  name: 'RecordSortField',
  description: 'What records are sorted by; ties are broken by id.',
  valuesConfig: {
    STARTED_AT: d('When the record’s latest attempt started.'),
    ENDED_AT: d('When the record’s latest attempt ended; unfinished records sort as the newest.'),
    LATENCY: d('The latest attempt’s latency; records without one sort as the smallest.'),
  },
});

registerEnumType(ExportStatus, {
  name: 'ExportStatus',
  description: 'Where an export job is.',
  valuesConfig: {
    PENDING: d('Accepted, not started.'),
    RUNNING: d('Being prepared.'),
    READY: d('Ready: download it from downloadUrl before expiresAt.'),
    FAILED: d('Could not be prepared.'),
  },
});

registerEnumType(WorkerCommandType, {
  name: 'WorkerCommandType',
  description: 'What a pipeline worker is asked to do.',
  valuesConfig: {
    RUN_QUEUED: d('A run of the pipeline was queued: claim it with claimRun.'),
    CANCEL_RUN: d('Stop the run and finish it as CANCELLED.'),
  },
});

registerEnumType(PipelineHealthStatus, {
  name: 'PipelineHealthStatus',
  description: 'Whether a pipeline does its job now (see PipelineHealth for the precedence when several hold).',
  valuesConfig: {
    HEALTHY: d('It runs, succeeds within its expected interval, and few of its records fail.'),
    DEGRADED: d('It succeeds, but at least 10 % of the last 24 hours’ records failed, or dead letters wait.'),
    FAILING: d('Its last finished run FAILED or was ROLLED_BACK.'),
    STALE: d('No run completed within twice its expected interval.'),
    IDLE: d('It has never run.'),
  },
});

registerEnumType(ErrorGroupState, {
  name: 'ErrorGroupState',
  description: 'What operators made of an error group.',
  valuesConfig: {
    OPEN: d('Not resolved (or reopened).'),
    RESOLVED: d('An operator marked it fixed, and no failure with its fingerprint started since.'),
    REGRESSED: d('It was resolved, and a failure with its fingerprint started after that.'),
  },
});

registerEnumType(AlertCondition, {
  name: 'AlertCondition',
  description: 'What an alert rule watches, for each pipeline it covers.',
  valuesConfig: {
    RUN_FAILED: d('Runs end FAILED: threshold = consecutive failed runs (default 1). Resolves when a run ends otherwise.'),
    ERROR_RATE: d('Failed ÷ reported records of the runs started within windowSeconds reaches threshold (a fraction).'),
    PIPELINE_HEALTH: d('The pipeline’s health enters one of healthStates.'),
    ERROR_GROUP_NEW: d('A failure fingerprint is seen for the first time. Resolves when the group is resolved or quiet for windowSeconds.'),
    ERROR_GROUP_REGRESSED: d(
      'A failure arrives for a resolved error group. Resolves when it is resolved again or quiet for windowSeconds.',
    ),
    DEAD_LETTERS: d('Waiting dead letters of the pipeline reach threshold.'),
    RUN_DURATION: d('A run is still running, or its latest finished run ran, longer than threshold seconds.'),
  },
});

registerEnumType(AlertSeverity, {
  name: 'AlertSeverity',
  description: 'How bad an alert is.',
  valuesConfig: {
    WARNING: d('Someone should look today.'),
    CRITICAL: d('Someone should look now.'),
  },
});

registerEnumType(AlertState, {
  name: 'AlertState',
  description: 'Where an alert is.',
  valuesConfig: {
    FIRING: d('The condition holds; people were told (and are reminded every repeatIntervalSeconds).'),
    ACKNOWLEDGED: d('Someone is on it: no more reminders; it still resolves when the condition clears.'),
    RESOLVED: d('The condition cleared; people were told.'),
  },
});

registerEnumType(ChannelKind, {
  name: 'ChannelKind',
  description: 'How a channel notifies.',
  valuesConfig: {
    WEBHOOK: d('An HTTPS POST of a versioned JSON envelope, signed per the Standard Webhooks specification.'),
    SLACK: d('A Slack incoming webhook: a readable message with a link to the console.'),
  },
});

registerEnumType(DeliveryStatus, {
  name: 'DeliveryStatus',
  description: 'Where a delivery is.',
  valuesConfig: {
    PENDING: d('Not delivered yet: waiting for its first attempt or its next retry.'),
    DELIVERED: d('A 2xx answer came.'),
    FAILED: d('Every retry failed (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); redeliver sends it again.'),
  },
});
