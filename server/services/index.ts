// Builds every service once per process; resolvers, jobs and the demo share them.
import type { DataSource } from 'typeorm';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { ApiKeyService } from './access/api-key.service.js';
import { AuditService } from './access/audit.service.js';
import { ServerSecrets } from './access/server-secrets.js';
import { AlertEvaluator } from './alerts/alert-evaluator.js';
import { AlertOutbox } from './alerts/alert-outbox.js';
import { AlertRuleService } from './alerts/alert-rule.service.js';
import { DeliverySender } from './alerts/delivery-sender.js';
import { NotificationChannelService } from './alerts/notification-channel.service.js';
import { AnalyticsService } from './analytics/analytics.service.js';
import { ErrorGroupService } from './analytics/error-group.service.js';
import { ErrorGroupCounts } from './analytics/error-group-counts.js';
import { FacetService } from './analytics/facet.service.js';
import { PipelineHealthService } from './analytics/pipeline-health.service.js';
import { RollupMaintenance } from './analytics/rollup-maintenance.js';
import { ExportService } from './housekeeping/export.service.js';
import { PartitionIndexes } from './housekeeping/partition-indexes.js';
import { PartitionMaintenance } from './housekeeping/partitions.js';
import { RecordRepartition } from './housekeeping/record-repartition.js';
import { RetentionService } from './housekeeping/retention.service.js';
import { RecordQueryService } from './lists/record-query.service.js';
import { RunQueryService } from './lists/run-query.service.js';
import { DueRetryService } from './retries/due-retries.service.js';
import { OperatorRetryService } from './retries/operator-retry.service.js';
import { PipelineService } from './runs/pipeline.service.js';
import { RecordIngestService } from './runs/record-ingest.service.js';
import { RunLifecycleService } from './runs/run-lifecycle.service.js';
import { RunProgress } from './runs/run-progress.js';

export function createServices(
  db: DataSource,
  config: Pick<Config, 'leaseSeconds' | 'progressIntervalMs' | 'exportUrlTtlSeconds'> &
    Partial<Pick<Config, 'webhookAllowPrivate' | 'webhookRetryDelaysMs' | 'repartitionBatchRows'>>,
  onBackgroundError: (error: unknown) => void = () => {},
  logger?: Logger,
  /** What the services that only read run on: a replica when there is one (db/read-routing.ts), else `db`. */
  reader: DataSource = db,
) {
  const audit = new AuditService(db);
  const partitions = new PartitionMaintenance(db, logger);
  const progress = new RunProgress(db, config.progressIntervalMs, onBackgroundError);
  const runLifecycle = new RunLifecycleService(db, audit, progress, config.leaseSeconds);
  const health = new PipelineHealthService(db);
  const alertOutbox = new AlertOutbox();
  const alertEvaluator = new AlertEvaluator(db, health, alertOutbox);
  return {
    audit,
    analytics: new AnalyticsService(reader),
    facets: new FacetService(reader),
    rollups: new RollupMaintenance(db),
    errorGroupCounts: new ErrorGroupCounts(db),
    apiKeys: new ApiKeyService(db, audit),
    pipelines: new PipelineService(db, audit),
    health,
    alertOutbox,
    alertRules: new AlertRuleService(db, audit, alertOutbox, alertEvaluator),
    channels: new NotificationChannelService(db, audit, alertOutbox, config.webhookAllowPrivate ?? false),
    alertEvaluator,
    deliveries: new DeliverySender(db, {
      allowPrivate: config.webhookAllowPrivate ?? false,
      retryDelaysMs: config.webhookRetryDelaysMs,
      onDisabled: (channelId, reason) => logger?.warn('notification channel disabled', { channelId, reason }),
    }),
    errorGroups: new ErrorGroupService(db, audit, reader),
    runs: new RunQueryService(reader),
    runLifecycle,
    retries: new OperatorRetryService(db, audit),
    dueRetries: new DueRetryService(db),
    retention: new RetentionService(db, audit, partitions),
    partitions,
    partitionIndexes: new PartitionIndexes(db, logger),
    repartition: new RecordRepartition(db, { batchRows: config.repartitionBatchRows, logger }),
    records: new RecordQueryService(reader),
    progress,
    ingest: new RecordIngestService(db, runLifecycle, progress, config.leaseSeconds),
    exports: new ExportService(
      db,
      audit,
      new ServerSecrets(db),
      {
        exportUrlTtlSeconds: config.exportUrlTtlSeconds,
        onFailure: (message, fields) => logger?.warn(message, fields),
      },
      reader,
    ),
  };
}

export type Services = ReturnType<typeof createServices>;
