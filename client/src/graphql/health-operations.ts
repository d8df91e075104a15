// The operations of the health views (overview, trend chart, failures, performance, downloads), typed by codegen
// (`npm run codegen`) from schema/schema.graphql. Kept apart from the console's operations.ts.
import { graphql } from './generated';

export const overviewQuery = graphql(`
  query Overview($filter: RecordFilter, $range: DateRange) {
    syncSummary(filter: $filter, range: $range) {
      from
      to
      totalSynced {
        value
        previous
        changePercent
      }
      totalErrors {
        value
        previous
        changePercent
      }
      errorRate {
        value
        previous
        changePercent
      }
      medianLatencyMs {
        value
        previous
        changePercent
      }
      byStatus {
        status
        count
      }
    }
  }
`);

export const pipelineHealthQuery = graphql(`
  query PipelineHealth {
    pipelines {
      id
      name
      tenantId
      health {
        status
        reason
        lastRunAt
        lastSuccessAt
        errorRate24h
        deadLetters
      }
    }
  }
`);

export const allowedIntervalsQuery = graphql(`
  query AllowedIntervals($range: DateRange!) {
    allowedIntervals(range: $range)
  }
`);

/** What the trend chart draws of a bucket. */
export const timeBucketFragment = graphql(`
  fragment TimeBucketBar on TimeBucket {
    start
    end
    total
    succeeded
    failed
    changePercent
  }
`);

// The default chart in one round trip: DAY is allowed for every window, and is what a 7-day window shows.
export const dayChartQuery = graphql(`
  query DayChart($filter: RecordFilter, $range: DateRange!) {
    allowedIntervals(range: $range)
    syncTimeseries(filter: $filter, interval: DAY, range: $range) {
      ...TimeBucketBar
    }
  }
`);

export const timeseriesQuery = graphql(`
  query SyncTimeseries($filter: RecordFilter, $interval: TimeInterval!, $range: DateRange!) {
    syncTimeseries(filter: $filter, interval: $interval, range: $range) {
      ...TimeBucketBar
    }
  }
`);

export const performanceQuery = graphql(`
  query SyncPerformance($filter: RecordFilter, $range: DateRange) {
    syncPerformance(filter: $filter, range: $range) {
      entityType
      operation
      mode
      recordsSynced
      p50Ms
      p90Ms
      p95Ms
      p99Ms
    }
  }
`);

export const errorGroupFragment = graphql(`
  fragment ErrorGroupRow on ErrorGroup {
    fingerprint
    errorCode
    sampleMessage
    count
    runCount
    retryable
    firstSeen
    lastSeen
    state
    resolvedAt
    resolvedBy
    resolutionNote
  }
`);

export const errorGroupsQuery = graphql(`
  query ErrorGroups($filter: RecordFilter, $range: DateRange, $first: Int) {
    errorGroups(filter: $filter, range: $range, first: $first) {
      ...ErrorGroupRow
    }
  }
`);

export const resolveErrorGroupMutation = graphql(`
  mutation ResolveErrorGroup($fingerprint: String!, $note: String) {
    resolveErrorGroup(fingerprint: $fingerprint, note: $note) {
      ...ErrorGroupRow
    }
  }
`);

export const reopenErrorGroupMutation = graphql(`
  mutation ReopenErrorGroup($fingerprint: String!) {
    reopenErrorGroup(fingerprint: $fingerprint) {
      ...ErrorGroupRow
    }
  }
`);

export const exportJobFragment = graphql(`
  fragment ExportJobState on ExportJob {
    id
    status
    rowCount
    createdAt
    expiresAt
    downloadUrl
  }
`);

export const exportRecordsMutation = graphql(`
  mutation ExportRecords($filter: RecordFilter) {
    exportRecords(filter: $filter) {
      ...ExportJobState
    }
  }
`);

export const exportRunsMutation = graphql(`
  mutation ExportRuns($filter: RunFilter) {
    exportRuns(filter: $filter) {
      ...ExportJobState
    }
  }
`);

export const exportJobQuery = graphql(`
  query ExportJob($id: ID!) {
    exportJob(id: $id) {
      ...ExportJobState
    }
  }
`);

/** Run status changes only: the chart refetches when a run finishes, not on every progress tick. */
export const runFinishedSubscription = graphql(`
  subscription RunStatusChanged($filter: RunFilter, $since: String) {
    runUpdated(filter: $filter, since: $since) {
      cursor
      previousStatus
      run {
        id
        status
      }
    }
  }
`);

/** Sync logs' status cards: records by status for the filters (seed 003). */
export const recordStatusCountsQuery = graphql(`
  query RecordStatusCounts($filter: RecordFilter, $range: DateRange) {
    syncSummary(filter: $filter, range: $range) {
      byStatus {
        status
        count
      }
    }
  }
`);

/** The overview's status cards counting runs (seed 004's summary in runs): one COUNT per card, each capped at 1,000. */
export const runStatusCountsQuery = graphql(`
  query RunStatusCounts($total: RunFilter!, $success: RunFilter!, $partial: RunFilter!, $failed: RunFilter!) {
    total: runs(filter: $total, first: 1) {
      totalCount
      totalCountIsExact
    }
    success: runs(filter: $success, first: 1) {
      totalCount
      totalCountIsExact
    }
    partial: runs(filter: $partial, first: 1) {
      totalCount
      totalCountIsExact
    }
    failed: runs(filter: $failed, first: 1) {
      totalCount
      totalCountIsExact
    }
  }
`);
