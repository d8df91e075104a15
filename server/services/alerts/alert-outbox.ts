// The outbox and the alert events: written in the caller's transaction, beside the alert change they tell of, so
// a notification exists exactly when its change committed. The leader sends them (services/alerts/delivery-sender.ts).
import type { EntityManager } from 'typeorm';
import { type AlertEventType, isMuted } from '../../domain/alerts.js';
import type { Alert } from '../../entities/Alert.js';
import type { AlertRule } from '../../entities/AlertRule.js';
import type { NotificationChannel } from '../../entities/NotificationChannel.js';
import { Pipeline } from '../../entities/Pipeline.js';
import { SyncRun } from '../../entities/SyncRun.js';
import { appendEvents } from '../../events/event-log.js';
import { ENQUEUE_DELIVERY_SQL, RULE_CHANNELS_SQL } from '../../sql/alerts.js';
import { envelope } from './alert-envelope.js';

export class AlertOutbox {
  /** The console's address, for links in notifications; set once the server listens (instance.ts). */
  consoleUrl = 'http://localhost:4000';

  alertUrl(alertId: string | null): string {
    return alertId ? `${this.consoleUrl}/alerts?alert=${alertId}` : `${this.consoleUrl}/alerts`;
  }

  /** Tells the rule's enabled channels of the alert's change, unless the rule is muted. Returns how many deliveries. */
  async notify(manager: EntityManager, alert: Alert, rule: AlertRule, type: AlertEventType, repeat = false): Promise<number> {
    if (isMuted(rule.mutedUntil, new Date())) return 0;
    const channels: { id: string }[] = await manager.query(RULE_CHANNELS_SQL, [rule.id]);
    if (channels.length === 0) return 0;
    const pipeline = alert.pipelineId
      ? await manager.findOne(Pipeline, { select: { id: true, name: true, tenantId: true }, where: { id: alert.pipelineId } })
      : null;
    const run = alert.runId ? await manager.findOneBy(SyncRun, { id: alert.runId }) : null;
    const payload = envelope({
      type,
      alert,
      rule,
      pipeline: pipeline && { id: pipeline.id, name: pipeline.name, tenantId: pipeline.tenantId },
      run: run && { id: run.id, status: run.status, startedAt: run.startedAt, endedAt: run.endedAt, error: run.error ?? null },
      url: this.alertUrl(alert.id),
      repeat,
    });
    for (const channel of channels) {
      await manager.query(ENQUEUE_DELIVERY_SQL, [channel.id, alert.id, alert.tenantId, type, JSON.stringify(payload)]);
    }
    return channels.length;
  }

  /** A test notification to one channel; returns the delivery's id. */
  async test(manager: EntityManager, channel: NotificationChannel): Promise<string> {
    const payload = envelope({ type: 'alert.test', alert: null, rule: null, pipeline: null, run: null, url: this.alertUrl(null) });
    const [row]: { id: string }[] = await manager.query(ENQUEUE_DELIVERY_SQL, [
      channel.id,
      null,
      channel.tenantId,
      'alert.test',
      JSON.stringify(payload),
    ]);
    return row.id;
  }

  /** The alert's change on the event table, for alertChanged subscribers. */
  async changed(manager: EntityManager, alerts: Alert[]): Promise<void> {
    await appendEvents(
      manager,
      alerts.map((alert) => ({
        kind: 'alert' as const,
        runId: alert.runId,
        pipelineId: alert.pipelineId,
        tenantId: alert.tenantId,
        payload: { alertId: alert.id, state: alert.state },
      })),
    );
  }
}
