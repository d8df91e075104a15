/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment AlertRow on Alert {\n    id\n    state\n    severity\n    summary\n    value\n    fingerprint\n    firedAt\n    acknowledgedAt\n    acknowledgedBy\n    resolvedAt\n    rule {\n      id\n      name\n      condition\n      mutedUntil\n    }\n    pipeline {\n      id\n      name\n    }\n    run {\n      id\n    }\n  }\n": typeof types.AlertRowFragmentDoc,
    "\n  query Alerts($states: [AlertState!], $first: Int, $after: String) {\n    alerts(states: $states, first: $first, after: $after) {\n      edges {\n        node {\n          ...AlertRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AlertsDocument,
    "\n  subscription AlertChanged($since: String) {\n    alertChanged(since: $since) {\n      cursor\n      alert {\n        ...AlertRow\n      }\n    }\n  }\n": typeof types.AlertChangedDocument,
    "\n  mutation AcknowledgeAlert($id: ID!, $note: String) {\n    acknowledgeAlert(id: $id, note: $note) {\n      ...AlertRow\n    }\n  }\n": typeof types.AcknowledgeAlertDocument,
    "\n  query AlertRules {\n    alertRules {\n      id\n      name\n      condition\n      severity\n      pipelineIds\n      tenantId\n      threshold\n      windowSeconds\n      healthStates\n      repeatIntervalSeconds\n      mutedUntil\n      enabled\n      createdAt\n      createdBy\n      channels {\n        id\n        name\n      }\n    }\n  }\n": typeof types.AlertRulesDocument,
    "\n  mutation CreateAlertRule($input: AlertRuleInput!) {\n    createAlertRule(input: $input) {\n      id\n    }\n  }\n": typeof types.CreateAlertRuleDocument,
    "\n  mutation UpdateAlertRule($id: ID!, $input: AlertRuleInput!) {\n    updateAlertRule(id: $id, input: $input) {\n      id\n    }\n  }\n": typeof types.UpdateAlertRuleDocument,
    "\n  mutation DeleteAlertRule($id: ID!) {\n    deleteAlertRule(id: $id)\n  }\n": typeof types.DeleteAlertRuleDocument,
    "\n  mutation MuteAlertRule($id: ID!, $until: DateTime) {\n    muteAlertRule(id: $id, until: $until) {\n      id\n      mutedUntil\n    }\n  }\n": typeof types.MuteAlertRuleDocument,
    "\n  query NotificationChannels {\n    notificationChannels {\n      id\n      name\n      kind\n      target\n      tenantId\n      enabled\n      disabledReason\n      createdAt\n    }\n  }\n": typeof types.NotificationChannelsDocument,
    "\n  mutation CreateNotificationChannel($input: ChannelInput!) {\n    createNotificationChannel(input: $input) {\n      signingSecret\n      channel {\n        id\n      }\n    }\n  }\n": typeof types.CreateNotificationChannelDocument,
    "\n  mutation DeleteNotificationChannel($id: ID!) {\n    deleteNotificationChannel(id: $id)\n  }\n": typeof types.DeleteNotificationChannelDocument,
    "\n  mutation RotateChannelSecret($id: ID!) {\n    rotateChannelSecret(id: $id) {\n      signingSecret\n    }\n  }\n": typeof types.RotateChannelSecretDocument,
    "\n  mutation TestNotificationChannel($id: ID!) {\n    testNotificationChannel(id: $id) {\n      id\n    }\n  }\n": typeof types.TestNotificationChannelDocument,
    "\n  query Deliveries($channelId: ID, $first: Int, $after: String) {\n    deliveries(channelId: $channelId, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          event\n          status\n          attempts\n          lastStatusCode\n          lastError\n          nextAttemptAt\n          createdAt\n          deliveredAt\n          channel {\n            id\n            name\n          }\n          alert {\n            id\n            summary\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.DeliveriesDocument,
    "\n  mutation Redeliver($deliveryId: ID!) {\n    redeliver(deliveryId: $deliveryId) {\n      id\n      status\n    }\n  }\n": typeof types.RedeliverDocument,
    "\n  query AlertRulePreview($input: AlertRuleInput!) {\n    alertRulePreview(input: $input) {\n      pipelineId\n      pipelineName\n      fingerprint\n      summary\n    }\n  }\n": typeof types.AlertRulePreviewDocument,
    "\n  query Overview($filter: RecordFilter, $range: DateRange) {\n    syncSummary(filter: $filter, range: $range) {\n      from\n      to\n      totalSynced {\n        value\n        previous\n        changePercent\n      }\n      totalErrors {\n        value\n        previous\n        changePercent\n      }\n      errorRate {\n        value\n        previous\n        changePercent\n      }\n      medianLatencyMs {\n        value\n        previous\n        changePercent\n      }\n      byStatus {\n        status\n        count\n      }\n    }\n  }\n": typeof types.OverviewDocument,
    "\n  query PipelineHealth {\n    pipelines {\n      id\n      name\n      tenantId\n      health {\n        status\n        reason\n        lastRunAt\n        lastSuccessAt\n        errorRate24h\n        deadLetters\n      }\n    }\n  }\n": typeof types.PipelineHealthDocument,
    "\n  query AllowedIntervals($range: DateRange!) {\n    allowedIntervals(range: $range)\n  }\n": typeof types.AllowedIntervalsDocument,
    "\n  fragment TimeBucketBar on TimeBucket {\n    start\n    end\n    total\n    succeeded\n    failed\n    changePercent\n  }\n": typeof types.TimeBucketBarFragmentDoc,
    "\n  query DayChart($filter: RecordFilter, $range: DateRange!) {\n    allowedIntervals(range: $range)\n    syncTimeseries(filter: $filter, interval: DAY, range: $range) {\n      ...TimeBucketBar\n    }\n  }\n": typeof types.DayChartDocument,
    "\n  query SyncTimeseries($filter: RecordFilter, $interval: TimeInterval!, $range: DateRange!) {\n    syncTimeseries(filter: $filter, interval: $interval, range: $range) {\n      ...TimeBucketBar\n    }\n  }\n": typeof types.SyncTimeseriesDocument,
    "\n  query SyncPerformance($filter: RecordFilter, $range: DateRange) {\n    syncPerformance(filter: $filter, range: $range) {\n      entityType\n      operation\n      mode\n      recordsSynced\n      p50Ms\n      p90Ms\n      p95Ms\n      p99Ms\n    }\n  }\n": typeof types.SyncPerformanceDocument,
    "\n  fragment ErrorGroupRow on ErrorGroup {\n    fingerprint\n    errorCode\n    sampleMessage\n    count\n    runCount\n    retryable\n    firstSeen\n    lastSeen\n    state\n    resolvedAt\n    resolvedBy\n    resolutionNote\n  }\n": typeof types.ErrorGroupRowFragmentDoc,
    "\n  query ErrorGroups($filter: RecordFilter, $range: DateRange, $first: Int) {\n    errorGroups(filter: $filter, range: $range, first: $first) {\n      ...ErrorGroupRow\n    }\n  }\n": typeof types.ErrorGroupsDocument,
    "\n  mutation ResolveErrorGroup($fingerprint: String!, $note: String) {\n    resolveErrorGroup(fingerprint: $fingerprint, note: $note) {\n      ...ErrorGroupRow\n    }\n  }\n": typeof types.ResolveErrorGroupDocument,
    "\n  mutation ReopenErrorGroup($fingerprint: String!) {\n    reopenErrorGroup(fingerprint: $fingerprint) {\n      ...ErrorGroupRow\n    }\n  }\n": typeof types.ReopenErrorGroupDocument,
    "\n  fragment ExportJobState on ExportJob {\n    id\n    status\n    rowCount\n    createdAt\n    expiresAt\n    downloadUrl\n  }\n": typeof types.ExportJobStateFragmentDoc,
    "\n  mutation ExportRecords($filter: RecordFilter) {\n    exportRecords(filter: $filter) {\n      ...ExportJobState\n    }\n  }\n": typeof types.ExportRecordsDocument,
    "\n  mutation ExportRuns($filter: RunFilter) {\n    exportRuns(filter: $filter) {\n      ...ExportJobState\n    }\n  }\n": typeof types.ExportRunsDocument,
    "\n  query ExportJob($id: ID!) {\n    exportJob(id: $id) {\n      ...ExportJobState\n    }\n  }\n": typeof types.ExportJobDocument,
    "\n  subscription RunStatusChanged($filter: RunFilter, $since: String) {\n    runUpdated(filter: $filter, since: $since) {\n      cursor\n      previousStatus\n      run {\n        id\n        status\n      }\n    }\n  }\n": typeof types.RunStatusChangedDocument,
    "\n  query RecordStatusCounts($filter: RecordFilter, $range: DateRange) {\n    syncSummary(filter: $filter, range: $range) {\n      byStatus {\n        status\n        count\n      }\n    }\n  }\n": typeof types.RecordStatusCountsDocument,
    "\n  query RunStatusCounts($total: RunFilter!, $success: RunFilter!, $partial: RunFilter!, $failed: RunFilter!) {\n    total: runs(filter: $total, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    success: runs(filter: $success, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    partial: runs(filter: $partial, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    failed: runs(filter: $failed, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n  }\n": typeof types.RunStatusCountsDocument,
    "\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      tenantId\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  query Me {\n    me {\n      id\n      name\n      role\n      tenantId\n    }\n  }\n": typeof types.MeDocument,
    "\n  fragment RunRow on SyncRun {\n    id\n    tenantId\n    status\n    mode\n    operationType\n    entityTypes\n    triggeredBy\n    correlationId\n    startedAt\n    endedAt\n    durationMs\n    expectedTotal\n    error\n    pipeline {\n      id\n      name\n    }\n    counts {\n      total\n      created\n      updated\n      deleted\n      skipped\n      succeeded\n      failed\n      pending\n    }\n  }\n": typeof types.RunRowFragmentDoc,
    "\n  query Runs($filter: RunFilter, $orderBy: RunOrder, $first: Int!, $after: String) {\n    runs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RunRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.RunsDocument,
    "\n  subscription RunUpdated($filter: RunFilter, $since: String) {\n    runUpdated(filter: $filter, since: $since) {\n      cursor\n      previousStatus\n      run {\n        ...RunRow\n      }\n    }\n  }\n": typeof types.RunUpdatedDocument,
    "\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunRow\n      leaseExpiresAt\n      configSnapshot\n      rerun\n      pipeline {\n        id\n        name\n        sourceSystem\n        targetSystem\n        direction\n      }\n      retryOf {\n        id\n        status\n        startedAt\n      }\n    }\n  }\n": typeof types.RunDetailDocument,
    "\n  fragment RecordRow on SyncRecord {\n    id\n    entityType\n    sourceId\n    targetId\n    operation\n    status\n    errorCode\n    errorMessage\n    retryable\n    attempts\n    nextRetryAt\n    startedAt\n    endedAt\n    latencyMs\n    run {\n      id\n      mode\n      triggeredBy\n      correlationId\n      pipeline {\n        id\n        name\n      }\n    }\n  }\n": typeof types.RecordRowFragmentDoc,
    "\n  query Records($filter: RecordFilter, $first: Int!, $after: String) {\n    records(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RecordRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.RecordsDocument,
    "\n  query RecordDetail($id: ID!) {\n    record(id: $id) {\n      ...RecordRow\n      details\n      history {\n        attempt\n        runId\n        status\n        errorCode\n        errorMessage\n        startedAt\n        endedAt\n        latencyMs\n      }\n    }\n  }\n": typeof types.RecordDetailDocument,
    "\n  subscription RecordsUpdated($runId: ID, $filter: RecordFilter, $since: String) {\n    recordsUpdated(runId: $runId, filter: $filter, since: $since) {\n      cursor\n      runId\n      records {\n        ...RecordRow\n      }\n    }\n  }\n": typeof types.RecordsUpdatedDocument,
    "\n  query Facets($pipelineIds: [ID!]) {\n    facets(pipelineIds: $pipelineIds) {\n      entityTypes\n      operationTypes\n      tenantIds\n      errorCodes\n    }\n  }\n": typeof types.FacetsDocument,
    "\n  query Pipelines {\n    pipelines {\n      id\n      name\n      sourceSystem\n      targetSystem\n      direction\n      tenantId\n      config\n      createdAt\n      retryPolicy {\n        maxAttempts\n        initialDelaySeconds\n        backoffFactor\n        maxDelaySeconds\n        nonRetryableErrorCodes\n        maxRunReruns\n      }\n    }\n  }\n": typeof types.PipelinesDocument,
    "\n  query AuditLog($first: Int!, $after: String) {\n    auditLog(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          at\n          actor\n          action\n          target\n          details\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  mutation CancelRun($runId: ID!, $reason: String) {\n    cancelRun(runId: $runId, reason: $reason) {\n      ...RunRow\n    }\n  }\n": typeof types.CancelRunDocument,
    "\n  mutation TriggerSync($pipelineId: ID!, $mode: SyncMode, $operationType: String) {\n    triggerSync(pipelineId: $pipelineId, mode: $mode, operationType: $operationType) {\n      ...RunRow\n    }\n  }\n": typeof types.TriggerSyncDocument,
    "\n  mutation RetryRecords($ids: [ID!], $filter: RecordFilter, $dryRun: Boolean) {\n    retryRecords(ids: $ids, filter: $filter, dryRun: $dryRun) {\n      matched\n      scheduled\n      skipped\n      retryRun {\n        id\n      }\n    }\n  }\n": typeof types.RetryRecordsDocument,
    "\n  mutation ReplayDeadLetters($ids: [ID!], $filter: RecordFilter) {\n    replayDeadLetters(ids: $ids, filter: $filter) {\n      matched\n      scheduled\n      skipped\n      retryRun {\n        id\n      }\n    }\n  }\n": typeof types.ReplayDeadLettersDocument,
    "\n  mutation DiscardDeadLetters($ids: [ID!], $filter: RecordFilter) {\n    discardDeadLetters(ids: $ids, filter: $filter) {\n      discarded\n    }\n  }\n": typeof types.DiscardDeadLettersDocument,
    "\n  mutation CreatePipeline($input: PipelineInput!) {\n    createPipeline(input: $input) {\n      id\n    }\n  }\n": typeof types.CreatePipelineDocument,
    "\n  mutation UpdatePipeline($id: ID!, $input: PipelineInput!) {\n    updatePipeline(id: $id, input: $input) {\n      id\n    }\n  }\n": typeof types.UpdatePipelineDocument,
    "\n  mutation CreateApiKey($input: ApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      key {\n        id\n        name\n        role\n        tenantId\n      }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n": typeof types.RevokeApiKeyDocument,
};
const documents: Documents = {
    "\n  fragment AlertRow on Alert {\n    id\n    state\n    severity\n    summary\n    value\n    fingerprint\n    firedAt\n    acknowledgedAt\n    acknowledgedBy\n    resolvedAt\n    rule {\n      id\n      name\n      condition\n      mutedUntil\n    }\n    pipeline {\n      id\n      name\n    }\n    run {\n      id\n    }\n  }\n": types.AlertRowFragmentDoc,
    "\n  query Alerts($states: [AlertState!], $first: Int, $after: String) {\n    alerts(states: $states, first: $first, after: $after) {\n      edges {\n        node {\n          ...AlertRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AlertsDocument,
    "\n  subscription AlertChanged($since: String) {\n    alertChanged(since: $since) {\n      cursor\n      alert {\n        ...AlertRow\n      }\n    }\n  }\n": types.AlertChangedDocument,
    "\n  mutation AcknowledgeAlert($id: ID!, $note: String) {\n    acknowledgeAlert(id: $id, note: $note) {\n      ...AlertRow\n    }\n  }\n": types.AcknowledgeAlertDocument,
    "\n  query AlertRules {\n    alertRules {\n      id\n      name\n      condition\n      severity\n      pipelineIds\n      tenantId\n      threshold\n      windowSeconds\n      healthStates\n      repeatIntervalSeconds\n      mutedUntil\n      enabled\n      createdAt\n      createdBy\n      channels {\n        id\n        name\n      }\n    }\n  }\n": types.AlertRulesDocument,
    "\n  mutation CreateAlertRule($input: AlertRuleInput!) {\n    createAlertRule(input: $input) {\n      id\n    }\n  }\n": types.CreateAlertRuleDocument,
    "\n  mutation UpdateAlertRule($id: ID!, $input: AlertRuleInput!) {\n    updateAlertRule(id: $id, input: $input) {\n      id\n    }\n  }\n": types.UpdateAlertRuleDocument,
    "\n  mutation DeleteAlertRule($id: ID!) {\n    deleteAlertRule(id: $id)\n  }\n": types.DeleteAlertRuleDocument,
    "\n  mutation MuteAlertRule($id: ID!, $until: DateTime) {\n    muteAlertRule(id: $id, until: $until) {\n      id\n      mutedUntil\n    }\n  }\n": types.MuteAlertRuleDocument,
    "\n  query NotificationChannels {\n    notificationChannels {\n      id\n      name\n      kind\n      target\n      tenantId\n      enabled\n      disabledReason\n      createdAt\n    }\n  }\n": types.NotificationChannelsDocument,
    "\n  mutation CreateNotificationChannel($input: ChannelInput!) {\n    createNotificationChannel(input: $input) {\n      signingSecret\n      channel {\n        id\n      }\n    }\n  }\n": types.CreateNotificationChannelDocument,
    "\n  mutation DeleteNotificationChannel($id: ID!) {\n    deleteNotificationChannel(id: $id)\n  }\n": types.DeleteNotificationChannelDocument,
    "\n  mutation RotateChannelSecret($id: ID!) {\n    rotateChannelSecret(id: $id) {\n      signingSecret\n    }\n  }\n": types.RotateChannelSecretDocument,
    "\n  mutation TestNotificationChannel($id: ID!) {\n    testNotificationChannel(id: $id) {\n      id\n    }\n  }\n": types.TestNotificationChannelDocument,
    "\n  query Deliveries($channelId: ID, $first: Int, $after: String) {\n    deliveries(channelId: $channelId, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          event\n          status\n          attempts\n          lastStatusCode\n          lastError\n          nextAttemptAt\n          createdAt\n          deliveredAt\n          channel {\n            id\n            name\n          }\n          alert {\n            id\n            summary\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.DeliveriesDocument,
    "\n  mutation Redeliver($deliveryId: ID!) {\n    redeliver(deliveryId: $deliveryId) {\n      id\n      status\n    }\n  }\n": types.RedeliverDocument,
    "\n  query AlertRulePreview($input: AlertRuleInput!) {\n    alertRulePreview(input: $input) {\n      pipelineId\n      pipelineName\n      fingerprint\n      summary\n    }\n  }\n": types.AlertRulePreviewDocument,
    "\n  query Overview($filter: RecordFilter, $range: DateRange) {\n    syncSummary(filter: $filter, range: $range) {\n      from\n      to\n      totalSynced {\n        value\n        previous\n        changePercent\n      }\n      totalErrors {\n        value\n        previous\n        changePercent\n      }\n      errorRate {\n        value\n        previous\n        changePercent\n      }\n      medianLatencyMs {\n        value\n        previous\n        changePercent\n      }\n      byStatus {\n        status\n        count\n      }\n    }\n  }\n": types.OverviewDocument,
    "\n  query PipelineHealth {\n    pipelines {\n      id\n      name\n      tenantId\n      health {\n        status\n        reason\n        lastRunAt\n        lastSuccessAt\n        errorRate24h\n        deadLetters\n      }\n    }\n  }\n": types.PipelineHealthDocument,
    "\n  query AllowedIntervals($range: DateRange!) {\n    allowedIntervals(range: $range)\n  }\n": types.AllowedIntervalsDocument,
    "\n  fragment TimeBucketBar on TimeBucket {\n    start\n    end\n    total\n    succeeded\n    failed\n    changePercent\n  }\n": types.TimeBucketBarFragmentDoc,
    "\n  query DayChart($filter: RecordFilter, $range: DateRange!) {\n    allowedIntervals(range: $range)\n    syncTimeseries(filter: $filter, interval: DAY, range: $range) {\n      ...TimeBucketBar\n    }\n  }\n": types.DayChartDocument,
    "\n  query SyncTimeseries($filter: RecordFilter, $interval: TimeInterval!, $range: DateRange!) {\n    syncTimeseries(filter: $filter, interval: $interval, range: $range) {\n      ...TimeBucketBar\n    }\n  }\n": types.SyncTimeseriesDocument,
    "\n  query SyncPerformance($filter: RecordFilter, $range: DateRange) {\n    syncPerformance(filter: $filter, range: $range) {\n      entityType\n      operation\n      mode\n      recordsSynced\n      p50Ms\n      p90Ms\n      p95Ms\n      p99Ms\n    }\n  }\n": types.SyncPerformanceDocument,
    "\n  fragment ErrorGroupRow on ErrorGroup {\n    fingerprint\n    errorCode\n    sampleMessage\n    count\n    runCount\n    retryable\n    firstSeen\n    lastSeen\n    state\n    resolvedAt\n    resolvedBy\n    resolutionNote\n  }\n": types.ErrorGroupRowFragmentDoc,
    "\n  query ErrorGroups($filter: RecordFilter, $range: DateRange, $first: Int) {\n    errorGroups(filter: $filter, range: $range, first: $first) {\n      ...ErrorGroupRow\n    }\n  }\n": types.ErrorGroupsDocument,
    "\n  mutation ResolveErrorGroup($fingerprint: String!, $note: String) {\n    resolveErrorGroup(fingerprint: $fingerprint, note: $note) {\n      ...ErrorGroupRow\n    }\n  }\n": types.ResolveErrorGroupDocument,
    "\n  mutation ReopenErrorGroup($fingerprint: String!) {\n    reopenErrorGroup(fingerprint: $fingerprint) {\n      ...ErrorGroupRow\n    }\n  }\n": types.ReopenErrorGroupDocument,
    "\n  fragment ExportJobState on ExportJob {\n    id\n    status\n    rowCount\n    createdAt\n    expiresAt\n    downloadUrl\n  }\n": types.ExportJobStateFragmentDoc,
    "\n  mutation ExportRecords($filter: RecordFilter) {\n    exportRecords(filter: $filter) {\n      ...ExportJobState\n    }\n  }\n": types.ExportRecordsDocument,
    "\n  mutation ExportRuns($filter: RunFilter) {\n    exportRuns(filter: $filter) {\n      ...ExportJobState\n    }\n  }\n": types.ExportRunsDocument,
    "\n  query ExportJob($id: ID!) {\n    exportJob(id: $id) {\n      ...ExportJobState\n    }\n  }\n": types.ExportJobDocument,
    "\n  subscription RunStatusChanged($filter: RunFilter, $since: String) {\n    runUpdated(filter: $filter, since: $since) {\n      cursor\n      previousStatus\n      run {\n        id\n        status\n      }\n    }\n  }\n": types.RunStatusChangedDocument,
    "\n  query RecordStatusCounts($filter: RecordFilter, $range: DateRange) {\n    syncSummary(filter: $filter, range: $range) {\n      byStatus {\n        status\n        count\n      }\n    }\n  }\n": types.RecordStatusCountsDocument,
    "\n  query RunStatusCounts($total: RunFilter!, $success: RunFilter!, $partial: RunFilter!, $failed: RunFilter!) {\n    total: runs(filter: $total, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    success: runs(filter: $success, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    partial: runs(filter: $partial, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    failed: runs(filter: $failed, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n  }\n": types.RunStatusCountsDocument,
    "\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      tenantId\n    }\n  }\n": types.ApiKeysDocument,
    "\n  query Me {\n    me {\n      id\n      name\n      role\n      tenantId\n    }\n  }\n": types.MeDocument,
    "\n  fragment RunRow on SyncRun {\n    id\n    tenantId\n    status\n    mode\n    operationType\n    entityTypes\n    triggeredBy\n    correlationId\n    startedAt\n    endedAt\n    durationMs\n    expectedTotal\n    error\n    pipeline {\n      id\n      name\n    }\n    counts {\n      total\n      created\n      updated\n      deleted\n      skipped\n      succeeded\n      failed\n      pending\n    }\n  }\n": types.RunRowFragmentDoc,
    "\n  query Runs($filter: RunFilter, $orderBy: RunOrder, $first: Int!, $after: String) {\n    runs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RunRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.RunsDocument,
    "\n  subscription RunUpdated($filter: RunFilter, $since: String) {\n    runUpdated(filter: $filter, since: $since) {\n      cursor\n      previousStatus\n      run {\n        ...RunRow\n      }\n    }\n  }\n": types.RunUpdatedDocument,
    "\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunRow\n      leaseExpiresAt\n      configSnapshot\n      rerun\n      pipeline {\n        id\n        name\n        sourceSystem\n        targetSystem\n        direction\n      }\n      retryOf {\n        id\n        status\n        startedAt\n      }\n    }\n  }\n": types.RunDetailDocument,
    "\n  fragment RecordRow on SyncRecord {\n    id\n    entityType\n    sourceId\n    targetId\n    operation\n    status\n    errorCode\n    errorMessage\n    retryable\n    attempts\n    nextRetryAt\n    startedAt\n    endedAt\n    latencyMs\n    run {\n      id\n      mode\n      triggeredBy\n      correlationId\n      pipeline {\n        id\n        name\n      }\n    }\n  }\n": types.RecordRowFragmentDoc,
    "\n  query Records($filter: RecordFilter, $first: Int!, $after: String) {\n    records(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RecordRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.RecordsDocument,
    "\n  query RecordDetail($id: ID!) {\n    record(id: $id) {\n      ...RecordRow\n      details\n      history {\n        attempt\n        runId\n        status\n        errorCode\n        errorMessage\n        startedAt\n        endedAt\n        latencyMs\n      }\n    }\n  }\n": types.RecordDetailDocument,
    "\n  subscription RecordsUpdated($runId: ID, $filter: RecordFilter, $since: String) {\n    recordsUpdated(runId: $runId, filter: $filter, since: $since) {\n      cursor\n      runId\n      records {\n        ...RecordRow\n      }\n    }\n  }\n": types.RecordsUpdatedDocument,
    "\n  query Facets($pipelineIds: [ID!]) {\n    facets(pipelineIds: $pipelineIds) {\n      entityTypes\n      operationTypes\n      tenantIds\n      errorCodes\n    }\n  }\n": types.FacetsDocument,
    "\n  query Pipelines {\n    pipelines {\n      id\n      name\n      sourceSystem\n      targetSystem\n      direction\n      tenantId\n      config\n      createdAt\n      retryPolicy {\n        maxAttempts\n        initialDelaySeconds\n        backoffFactor\n        maxDelaySeconds\n        nonRetryableErrorCodes\n        maxRunReruns\n      }\n    }\n  }\n": types.PipelinesDocument,
    "\n  query AuditLog($first: Int!, $after: String) {\n    auditLog(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          at\n          actor\n          action\n          target\n          details\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  mutation CancelRun($runId: ID!, $reason: String) {\n    cancelRun(runId: $runId, reason: $reason) {\n      ...RunRow\n    }\n  }\n": types.CancelRunDocument,
    "\n  mutation TriggerSync($pipelineId: ID!, $mode: SyncMode, $operationType: String) {\n    triggerSync(pipelineId: $pipelineId, mode: $mode, operationType: $operationType) {\n      ...RunRow\n    }\n  }\n": types.TriggerSyncDocument,
    "\n  mutation RetryRecords($ids: [ID!], $filter: RecordFilter, $dryRun: Boolean) {\n    retryRecords(ids: $ids, filter: $filter, dryRun: $dryRun) {\n      matched\n      scheduled\n      skipped\n      retryRun {\n        id\n      }\n    }\n  }\n": types.RetryRecordsDocument,
    "\n  mutation ReplayDeadLetters($ids: [ID!], $filter: RecordFilter) {\n    replayDeadLetters(ids: $ids, filter: $filter) {\n      matched\n      scheduled\n      skipped\n      retryRun {\n        id\n      }\n    }\n  }\n": types.ReplayDeadLettersDocument,
    "\n  mutation DiscardDeadLetters($ids: [ID!], $filter: RecordFilter) {\n    discardDeadLetters(ids: $ids, filter: $filter) {\n      discarded\n    }\n  }\n": types.DiscardDeadLettersDocument,
    "\n  mutation CreatePipeline($input: PipelineInput!) {\n    createPipeline(input: $input) {\n      id\n    }\n  }\n": types.CreatePipelineDocument,
    "\n  mutation UpdatePipeline($id: ID!, $input: PipelineInput!) {\n    updatePipeline(id: $id, input: $input) {\n      id\n    }\n  }\n": types.UpdatePipelineDocument,
    "\n  mutation CreateApiKey($input: ApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      key {\n        id\n        name\n        role\n        tenantId\n      }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n": types.RevokeApiKeyDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AlertRow on Alert {\n    id\n    state\n    severity\n    summary\n    value\n    fingerprint\n    firedAt\n    acknowledgedAt\n    acknowledgedBy\n    resolvedAt\n    rule {\n      id\n      name\n      condition\n      mutedUntil\n    }\n    pipeline {\n      id\n      name\n    }\n    run {\n      id\n    }\n  }\n"): (typeof documents)["\n  fragment AlertRow on Alert {\n    id\n    state\n    severity\n    summary\n    value\n    fingerprint\n    firedAt\n    acknowledgedAt\n    acknowledgedBy\n    resolvedAt\n    rule {\n      id\n      name\n      condition\n      mutedUntil\n    }\n    pipeline {\n      id\n      name\n    }\n    run {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Alerts($states: [AlertState!], $first: Int, $after: String) {\n    alerts(states: $states, first: $first, after: $after) {\n      edges {\n        node {\n          ...AlertRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Alerts($states: [AlertState!], $first: Int, $after: String) {\n    alerts(states: $states, first: $first, after: $after) {\n      edges {\n        node {\n          ...AlertRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AlertChanged($since: String) {\n    alertChanged(since: $since) {\n      cursor\n      alert {\n        ...AlertRow\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription AlertChanged($since: String) {\n    alertChanged(since: $since) {\n      cursor\n      alert {\n        ...AlertRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcknowledgeAlert($id: ID!, $note: String) {\n    acknowledgeAlert(id: $id, note: $note) {\n      ...AlertRow\n    }\n  }\n"): (typeof documents)["\n  mutation AcknowledgeAlert($id: ID!, $note: String) {\n    acknowledgeAlert(id: $id, note: $note) {\n      ...AlertRow\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AlertRules {\n    alertRules {\n      id\n      name\n      condition\n      severity\n      pipelineIds\n      tenantId\n      threshold\n      windowSeconds\n      healthStates\n      repeatIntervalSeconds\n      mutedUntil\n      enabled\n      createdAt\n      createdBy\n      channels {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query AlertRules {\n    alertRules {\n      id\n      name\n      condition\n      severity\n      pipelineIds\n      tenantId\n      threshold\n      windowSeconds\n      healthStates\n      repeatIntervalSeconds\n      mutedUntil\n      enabled\n      createdAt\n      createdBy\n      channels {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAlertRule($input: AlertRuleInput!) {\n    createAlertRule(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation CreateAlertRule($input: AlertRuleInput!) {\n    createAlertRule(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateAlertRule($id: ID!, $input: AlertRuleInput!) {\n    updateAlertRule(id: $id, input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateAlertRule($id: ID!, $input: AlertRuleInput!) {\n    updateAlertRule(id: $id, input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAlertRule($id: ID!) {\n    deleteAlertRule(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteAlertRule($id: ID!) {\n    deleteAlertRule(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MuteAlertRule($id: ID!, $until: DateTime) {\n    muteAlertRule(id: $id, until: $until) {\n      id\n      mutedUntil\n    }\n  }\n"): (typeof documents)["\n  mutation MuteAlertRule($id: ID!, $until: DateTime) {\n    muteAlertRule(id: $id, until: $until) {\n      id\n      mutedUntil\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationChannels {\n    notificationChannels {\n      id\n      name\n      kind\n      target\n      tenantId\n      enabled\n      disabledReason\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query NotificationChannels {\n    notificationChannels {\n      id\n      name\n      kind\n      target\n      tenantId\n      enabled\n      disabledReason\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateNotificationChannel($input: ChannelInput!) {\n    createNotificationChannel(input: $input) {\n      signingSecret\n      channel {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateNotificationChannel($input: ChannelInput!) {\n    createNotificationChannel(input: $input) {\n      signingSecret\n      channel {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteNotificationChannel($id: ID!) {\n    deleteNotificationChannel(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteNotificationChannel($id: ID!) {\n    deleteNotificationChannel(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateChannelSecret($id: ID!) {\n    rotateChannelSecret(id: $id) {\n      signingSecret\n    }\n  }\n"): (typeof documents)["\n  mutation RotateChannelSecret($id: ID!) {\n    rotateChannelSecret(id: $id) {\n      signingSecret\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestNotificationChannel($id: ID!) {\n    testNotificationChannel(id: $id) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation TestNotificationChannel($id: ID!) {\n    testNotificationChannel(id: $id) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Deliveries($channelId: ID, $first: Int, $after: String) {\n    deliveries(channelId: $channelId, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          event\n          status\n          attempts\n          lastStatusCode\n          lastError\n          nextAttemptAt\n          createdAt\n          deliveredAt\n          channel {\n            id\n            name\n          }\n          alert {\n            id\n            summary\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Deliveries($channelId: ID, $first: Int, $after: String) {\n    deliveries(channelId: $channelId, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          event\n          status\n          attempts\n          lastStatusCode\n          lastError\n          nextAttemptAt\n          createdAt\n          deliveredAt\n          channel {\n            id\n            name\n          }\n          alert {\n            id\n            summary\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Redeliver($deliveryId: ID!) {\n    redeliver(deliveryId: $deliveryId) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation Redeliver($deliveryId: ID!) {\n    redeliver(deliveryId: $deliveryId) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AlertRulePreview($input: AlertRuleInput!) {\n    alertRulePreview(input: $input) {\n      pipelineId\n      pipelineName\n      fingerprint\n      summary\n    }\n  }\n"): (typeof documents)["\n  query AlertRulePreview($input: AlertRuleInput!) {\n    alertRulePreview(input: $input) {\n      pipelineId\n      pipelineName\n      fingerprint\n      summary\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Overview($filter: RecordFilter, $range: DateRange) {\n    syncSummary(filter: $filter, range: $range) {\n      from\n      to\n      totalSynced {\n        value\n        previous\n        changePercent\n      }\n      totalErrors {\n        value\n        previous\n        changePercent\n      }\n      errorRate {\n        value\n        previous\n        changePercent\n      }\n      medianLatencyMs {\n        value\n        previous\n        changePercent\n      }\n      byStatus {\n        status\n        count\n      }\n    }\n  }\n"): (typeof documents)["\n  query Overview($filter: RecordFilter, $range: DateRange) {\n    syncSummary(filter: $filter, range: $range) {\n      from\n      to\n      totalSynced {\n        value\n        previous\n        changePercent\n      }\n      totalErrors {\n        value\n        previous\n        changePercent\n      }\n      errorRate {\n        value\n        previous\n        changePercent\n      }\n      medianLatencyMs {\n        value\n        previous\n        changePercent\n      }\n      byStatus {\n        status\n        count\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PipelineHealth {\n    pipelines {\n      id\n      name\n      tenantId\n      health {\n        status\n        reason\n        lastRunAt\n        lastSuccessAt\n        errorRate24h\n        deadLetters\n      }\n    }\n  }\n"): (typeof documents)["\n  query PipelineHealth {\n    pipelines {\n      id\n      name\n      tenantId\n      health {\n        status\n        reason\n        lastRunAt\n        lastSuccessAt\n        errorRate24h\n        deadLetters\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AllowedIntervals($range: DateRange!) {\n    allowedIntervals(range: $range)\n  }\n"): (typeof documents)["\n  query AllowedIntervals($range: DateRange!) {\n    allowedIntervals(range: $range)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TimeBucketBar on TimeBucket {\n    start\n    end\n    total\n    succeeded\n    failed\n    changePercent\n  }\n"): (typeof documents)["\n  fragment TimeBucketBar on TimeBucket {\n    start\n    end\n    total\n    succeeded\n    failed\n    changePercent\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DayChart($filter: RecordFilter, $range: DateRange!) {\n    allowedIntervals(range: $range)\n    syncTimeseries(filter: $filter, interval: DAY, range: $range) {\n      ...TimeBucketBar\n    }\n  }\n"): (typeof documents)["\n  query DayChart($filter: RecordFilter, $range: DateRange!) {\n    allowedIntervals(range: $range)\n    syncTimeseries(filter: $filter, interval: DAY, range: $range) {\n      ...TimeBucketBar\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SyncTimeseries($filter: RecordFilter, $interval: TimeInterval!, $range: DateRange!) {\n    syncTimeseries(filter: $filter, interval: $interval, range: $range) {\n      ...TimeBucketBar\n    }\n  }\n"): (typeof documents)["\n  query SyncTimeseries($filter: RecordFilter, $interval: TimeInterval!, $range: DateRange!) {\n    syncTimeseries(filter: $filter, interval: $interval, range: $range) {\n      ...TimeBucketBar\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SyncPerformance($filter: RecordFilter, $range: DateRange) {\n    syncPerformance(filter: $filter, range: $range) {\n      entityType\n      operation\n      mode\n      recordsSynced\n      p50Ms\n      p90Ms\n      p95Ms\n      p99Ms\n    }\n  }\n"): (typeof documents)["\n  query SyncPerformance($filter: RecordFilter, $range: DateRange) {\n    syncPerformance(filter: $filter, range: $range) {\n      entityType\n      operation\n      mode\n      recordsSynced\n      p50Ms\n      p90Ms\n      p95Ms\n      p99Ms\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ErrorGroupRow on ErrorGroup {\n    fingerprint\n    errorCode\n    sampleMessage\n    count\n    runCount\n    retryable\n    firstSeen\n    lastSeen\n    state\n    resolvedAt\n    resolvedBy\n    resolutionNote\n  }\n"): (typeof documents)["\n  fragment ErrorGroupRow on ErrorGroup {\n    fingerprint\n    errorCode\n    sampleMessage\n    count\n    runCount\n    retryable\n    firstSeen\n    lastSeen\n    state\n    resolvedAt\n    resolvedBy\n    resolutionNote\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ErrorGroups($filter: RecordFilter, $range: DateRange, $first: Int) {\n    errorGroups(filter: $filter, range: $range, first: $first) {\n      ...ErrorGroupRow\n    }\n  }\n"): (typeof documents)["\n  query ErrorGroups($filter: RecordFilter, $range: DateRange, $first: Int) {\n    errorGroups(filter: $filter, range: $range, first: $first) {\n      ...ErrorGroupRow\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResolveErrorGroup($fingerprint: String!, $note: String) {\n    resolveErrorGroup(fingerprint: $fingerprint, note: $note) {\n      ...ErrorGroupRow\n    }\n  }\n"): (typeof documents)["\n  mutation ResolveErrorGroup($fingerprint: String!, $note: String) {\n    resolveErrorGroup(fingerprint: $fingerprint, note: $note) {\n      ...ErrorGroupRow\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReopenErrorGroup($fingerprint: String!) {\n    reopenErrorGroup(fingerprint: $fingerprint) {\n      ...ErrorGroupRow\n    }\n  }\n"): (typeof documents)["\n  mutation ReopenErrorGroup($fingerprint: String!) {\n    reopenErrorGroup(fingerprint: $fingerprint) {\n      ...ErrorGroupRow\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ExportJobState on ExportJob {\n    id\n    status\n    rowCount\n    createdAt\n    expiresAt\n    downloadUrl\n  }\n"): (typeof documents)["\n  fragment ExportJobState on ExportJob {\n    id\n    status\n    rowCount\n    createdAt\n    expiresAt\n    downloadUrl\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExportRecords($filter: RecordFilter) {\n    exportRecords(filter: $filter) {\n      ...ExportJobState\n    }\n  }\n"): (typeof documents)["\n  mutation ExportRecords($filter: RecordFilter) {\n    exportRecords(filter: $filter) {\n      ...ExportJobState\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExportRuns($filter: RunFilter) {\n    exportRuns(filter: $filter) {\n      ...ExportJobState\n    }\n  }\n"): (typeof documents)["\n  mutation ExportRuns($filter: RunFilter) {\n    exportRuns(filter: $filter) {\n      ...ExportJobState\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ExportJob($id: ID!) {\n    exportJob(id: $id) {\n      ...ExportJobState\n    }\n  }\n"): (typeof documents)["\n  query ExportJob($id: ID!) {\n    exportJob(id: $id) {\n      ...ExportJobState\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunStatusChanged($filter: RunFilter, $since: String) {\n    runUpdated(filter: $filter, since: $since) {\n      cursor\n      previousStatus\n      run {\n        id\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RunStatusChanged($filter: RunFilter, $since: String) {\n    runUpdated(filter: $filter, since: $since) {\n      cursor\n      previousStatus\n      run {\n        id\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RecordStatusCounts($filter: RecordFilter, $range: DateRange) {\n    syncSummary(filter: $filter, range: $range) {\n      byStatus {\n        status\n        count\n      }\n    }\n  }\n"): (typeof documents)["\n  query RecordStatusCounts($filter: RecordFilter, $range: DateRange) {\n    syncSummary(filter: $filter, range: $range) {\n      byStatus {\n        status\n        count\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunStatusCounts($total: RunFilter!, $success: RunFilter!, $partial: RunFilter!, $failed: RunFilter!) {\n    total: runs(filter: $total, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    success: runs(filter: $success, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    partial: runs(filter: $partial, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    failed: runs(filter: $failed, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n  }\n"): (typeof documents)["\n  query RunStatusCounts($total: RunFilter!, $success: RunFilter!, $partial: RunFilter!, $failed: RunFilter!) {\n    total: runs(filter: $total, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    success: runs(filter: $success, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    partial: runs(filter: $partial, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n    failed: runs(filter: $failed, first: 1) {\n      totalCount\n      totalCountIsExact\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      tenantId\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      tenantId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      name\n      role\n      tenantId\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      name\n      role\n      tenantId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RunRow on SyncRun {\n    id\n    tenantId\n    status\n    mode\n    operationType\n    entityTypes\n    triggeredBy\n    correlationId\n    startedAt\n    endedAt\n    durationMs\n    expectedTotal\n    error\n    pipeline {\n      id\n      name\n    }\n    counts {\n      total\n      created\n      updated\n      deleted\n      skipped\n      succeeded\n      failed\n      pending\n    }\n  }\n"): (typeof documents)["\n  fragment RunRow on SyncRun {\n    id\n    tenantId\n    status\n    mode\n    operationType\n    entityTypes\n    triggeredBy\n    correlationId\n    startedAt\n    endedAt\n    durationMs\n    expectedTotal\n    error\n    pipeline {\n      id\n      name\n    }\n    counts {\n      total\n      created\n      updated\n      deleted\n      skipped\n      succeeded\n      failed\n      pending\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Runs($filter: RunFilter, $orderBy: RunOrder, $first: Int!, $after: String) {\n    runs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RunRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Runs($filter: RunFilter, $orderBy: RunOrder, $first: Int!, $after: String) {\n    runs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RunRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunUpdated($filter: RunFilter, $since: String) {\n    runUpdated(filter: $filter, since: $since) {\n      cursor\n      previousStatus\n      run {\n        ...RunRow\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RunUpdated($filter: RunFilter, $since: String) {\n    runUpdated(filter: $filter, since: $since) {\n      cursor\n      previousStatus\n      run {\n        ...RunRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunRow\n      leaseExpiresAt\n      configSnapshot\n      rerun\n      pipeline {\n        id\n        name\n        sourceSystem\n        targetSystem\n        direction\n      }\n      retryOf {\n        id\n        status\n        startedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunRow\n      leaseExpiresAt\n      configSnapshot\n      rerun\n      pipeline {\n        id\n        name\n        sourceSystem\n        targetSystem\n        direction\n      }\n      retryOf {\n        id\n        status\n        startedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RecordRow on SyncRecord {\n    id\n    entityType\n    sourceId\n    targetId\n    operation\n    status\n    errorCode\n    errorMessage\n    retryable\n    attempts\n    nextRetryAt\n    startedAt\n    endedAt\n    latencyMs\n    run {\n      id\n      mode\n      triggeredBy\n      correlationId\n      pipeline {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment RecordRow on SyncRecord {\n    id\n    entityType\n    sourceId\n    targetId\n    operation\n    status\n    errorCode\n    errorMessage\n    retryable\n    attempts\n    nextRetryAt\n    startedAt\n    endedAt\n    latencyMs\n    run {\n      id\n      mode\n      triggeredBy\n      correlationId\n      pipeline {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Records($filter: RecordFilter, $first: Int!, $after: String) {\n    records(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RecordRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Records($filter: RecordFilter, $first: Int!, $after: String) {\n    records(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RecordRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RecordDetail($id: ID!) {\n    record(id: $id) {\n      ...RecordRow\n      details\n      history {\n        attempt\n        runId\n        status\n        errorCode\n        errorMessage\n        startedAt\n        endedAt\n        latencyMs\n      }\n    }\n  }\n"): (typeof documents)["\n  query RecordDetail($id: ID!) {\n    record(id: $id) {\n      ...RecordRow\n      details\n      history {\n        attempt\n        runId\n        status\n        errorCode\n        errorMessage\n        startedAt\n        endedAt\n        latencyMs\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RecordsUpdated($runId: ID, $filter: RecordFilter, $since: String) {\n    recordsUpdated(runId: $runId, filter: $filter, since: $since) {\n      cursor\n      runId\n      records {\n        ...RecordRow\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RecordsUpdated($runId: ID, $filter: RecordFilter, $since: String) {\n    recordsUpdated(runId: $runId, filter: $filter, since: $since) {\n      cursor\n      runId\n      records {\n        ...RecordRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Facets($pipelineIds: [ID!]) {\n    facets(pipelineIds: $pipelineIds) {\n      entityTypes\n      operationTypes\n      tenantIds\n      errorCodes\n    }\n  }\n"): (typeof documents)["\n  query Facets($pipelineIds: [ID!]) {\n    facets(pipelineIds: $pipelineIds) {\n      entityTypes\n      operationTypes\n      tenantIds\n      errorCodes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Pipelines {\n    pipelines {\n      id\n      name\n      sourceSystem\n      targetSystem\n      direction\n      tenantId\n      config\n      createdAt\n      retryPolicy {\n        maxAttempts\n        initialDelaySeconds\n        backoffFactor\n        maxDelaySeconds\n        nonRetryableErrorCodes\n        maxRunReruns\n      }\n    }\n  }\n"): (typeof documents)["\n  query Pipelines {\n    pipelines {\n      id\n      name\n      sourceSystem\n      targetSystem\n      direction\n      tenantId\n      config\n      createdAt\n      retryPolicy {\n        maxAttempts\n        initialDelaySeconds\n        backoffFactor\n        maxDelaySeconds\n        nonRetryableErrorCodes\n        maxRunReruns\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($first: Int!, $after: String) {\n    auditLog(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          at\n          actor\n          action\n          target\n          details\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($first: Int!, $after: String) {\n    auditLog(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          at\n          actor\n          action\n          target\n          details\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelRun($runId: ID!, $reason: String) {\n    cancelRun(runId: $runId, reason: $reason) {\n      ...RunRow\n    }\n  }\n"): (typeof documents)["\n  mutation CancelRun($runId: ID!, $reason: String) {\n    cancelRun(runId: $runId, reason: $reason) {\n      ...RunRow\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TriggerSync($pipelineId: ID!, $mode: SyncMode, $operationType: String) {\n    triggerSync(pipelineId: $pipelineId, mode: $mode, operationType: $operationType) {\n      ...RunRow\n    }\n  }\n"): (typeof documents)["\n  mutation TriggerSync($pipelineId: ID!, $mode: SyncMode, $operationType: String) {\n    triggerSync(pipelineId: $pipelineId, mode: $mode, operationType: $operationType) {\n      ...RunRow\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryRecords($ids: [ID!], $filter: RecordFilter, $dryRun: Boolean) {\n    retryRecords(ids: $ids, filter: $filter, dryRun: $dryRun) {\n      matched\n      scheduled\n      skipped\n      retryRun {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RetryRecords($ids: [ID!], $filter: RecordFilter, $dryRun: Boolean) {\n    retryRecords(ids: $ids, filter: $filter, dryRun: $dryRun) {\n      matched\n      scheduled\n      skipped\n      retryRun {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReplayDeadLetters($ids: [ID!], $filter: RecordFilter) {\n    replayDeadLetters(ids: $ids, filter: $filter) {\n      matched\n      scheduled\n      skipped\n      retryRun {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ReplayDeadLetters($ids: [ID!], $filter: RecordFilter) {\n    replayDeadLetters(ids: $ids, filter: $filter) {\n      matched\n      scheduled\n      skipped\n      retryRun {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DiscardDeadLetters($ids: [ID!], $filter: RecordFilter) {\n    discardDeadLetters(ids: $ids, filter: $filter) {\n      discarded\n    }\n  }\n"): (typeof documents)["\n  mutation DiscardDeadLetters($ids: [ID!], $filter: RecordFilter) {\n    discardDeadLetters(ids: $ids, filter: $filter) {\n      discarded\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePipeline($input: PipelineInput!) {\n    createPipeline(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePipeline($input: PipelineInput!) {\n    createPipeline(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdatePipeline($id: ID!, $input: PipelineInput!) {\n    updatePipeline(id: $id, input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation UpdatePipeline($id: ID!, $input: PipelineInput!) {\n    updatePipeline(id: $id, input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: ApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      key {\n        id\n        name\n        role\n        tenantId\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($input: ApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      key {\n        id\n        name\n        role\n        tenantId\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;