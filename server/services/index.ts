// Builds every service once per process; resolvers, jobs and the demo share them.
import type { DataSource } from 'typeorm';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { AlertEvaluator } from './alert-evaluator.js';
import { AlertOutbox } from './alert-outbox.js';
import { AlertRuleService } from './alert-rule.service.js';
import { AnalyticsService } from './analytics.service.js';
import { ApiKeyService } from './api-key.service.js';
import { AuditService } from './audit.service.js';
import { DeliverySender } from './delivery-sender.js';
import { DueRetryService } from './due-retries.service.js';
import { ErrorGroupService } from './error-group.service.js';
import { ExportService } from './export.service.js';
import { FacetService } from './facet.service.js';
import { NotificationChannelService } from './notification-channel.service.js';
import { OperatorRetryService } from './operator-retry.service.js';
import { PipelineService } from './pipeline.service.js';
import { PipelineHealthService } from './pipeline-health.service.js';
import { RecordIngestService } from './record-ingest.service.js';
import { RecordQueryService } from './record-query.service.js';
import { RetentionService } from './retention.service.js';
import { RollupMaintenance } from './rollup-maintenance.js';
import { RunLifecycleService } from './run-lifecycle.service.js';
import { RunProgress } from './run-progress.js';
import { RunQueryService } from './run-query.service.js';
import { ServerSecrets } from './server-secrets.js';

export function createServices(
  db: DataSource,
  config: Pick<Config, 'leaseSeconds' | 'progressIntervalMs' | 'exportUrlTtlSeconds'> &
    Partial<Pick<Config, 'webhookAllowPrivate' | 'webhookRetryDelaysMs'>>,
  onBackgroundError: (error: unknown) => void = () => {},
  logger?: Logger,
) {
  const audit = new AuditService(db);
  const progress = new RunProgress(db, config.progressIntervalMs, onBackgroundError);
  const runLifecycle = new RunLifecycleService(db, audit, progress, config.leaseSeconds);
  const health = new PipelineHealthService(db);
  const alertOutbox = new AlertOutbox();
  return {
    audit,
    analytics: new AnalyticsService(db),
    facets: new FacetService(db),
    rollups: new RollupMaintenance(db),
    apiKeys: new ApiKeyService(db, audit),
    pipelines: new PipelineService(db, audit),
    health,
    alertOutbox,
    alertRules: new AlertRuleService(db, audit, alertOutbox),
    channels: new NotificationChannelService(db, audit, alertOutbox, config.webhookAllowPrivate ?? false),
    alertEvaluator: new AlertEvaluator(db, health, alertOutbox),
    deliveries: new DeliverySender(db, {
      allowPrivate: config.webhookAllowPrivate ?? false,
      retryDelaysMs: config.webhookRetryDelaysMs,
      onDisabled: (channelId, reason) => logger?.warn('notification channel disabled', { channelId, reason }),
    }),
    errorGroups: new ErrorGroupService(db, audit),
    runs: new RunQueryService(db),
    runLifecycle,
    retries: new OperatorRetryService(db, audit),
    dueRetries: new DueRetryService(db),
    retention: new RetentionService(db, audit),
    records: new RecordQueryService(db),
    progress,
    ingest: new RecordIngestService(db, runLifecycle, progress, config.leaseSeconds),
    exports: new ExportService(db, audit, new ServerSecrets(db), {
      exportUrlTtlSeconds: config.exportUrlTtlSeconds,
      onFailure: (message, fields) => logger?.warn(message, fields),
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
