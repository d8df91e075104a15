// What a notification says: the versioned JSON envelope of webhooks, and the Slack message made from it.
import { type AlertEventType, ENVELOPE_VERSION } from '../../domain/alerts.js';
import type { Alert } from '../../entities/Alert.js';
import type { AlertRule } from '../../entities/AlertRule.js';

export interface EnvelopeParts {
  type: AlertEventType;
  alert: Alert | null;
  rule: AlertRule | null;
  pipeline: { id: string; name: string; tenantId: string | null } | null;
  run: { id: string; status: string; startedAt: Date | null; endedAt: Date | null; error: string | null } | null;
  /** Absolute console address of the alert (or the alerts page). */
  url: string;
  /** Whether this `alert.fired` is a reminder of an alert still FIRING. */
  repeat?: boolean;
}

const iso = (date: Date | string | null | undefined) => (date == null ? null : new Date(date).toISOString());

/** The envelope: `{ version, type, createdAt, data: { alert, rule, pipeline, run, url } }`. */
export function envelope(parts: EnvelopeParts): Record<string, unknown> {
  const { alert, rule } = parts;
  return {
    version: ENVELOPE_VERSION,
    type: parts.type,
    createdAt: new Date().toISOString(),
    data: {
      alert: alert && {
        id: alert.id,
        state: alert.state,
        severity: alert.severity,
        summary: alert.summary,
        value: alert.value,
        fingerprint: alert.fingerprint,
        firedAt: iso(alert.firedAt),
        acknowledgedAt: iso(alert.acknowledgedAt),
        resolvedAt: iso(alert.resolvedAt),
        repeat: parts.repeat ?? false,
      },
      rule: rule && {
        id: rule.id,
        name: rule.name,
        condition: rule.condition,
        severity: rule.severity,
        threshold: rule.threshold,
        windowSeconds: rule.windowSeconds,
        tenantId: rule.tenantId,
      },
      pipeline: parts.pipeline,
      run: parts.run && { ...parts.run, startedAt: iso(parts.run.startedAt), endedAt: iso(parts.run.endedAt) },
      url: parts.url,
    },
  };
}

interface EnvelopeView {
  type: AlertEventType;
  data: {
    alert: { severity: string; summary: string; repeat?: boolean } | null;
    rule: { name: string } | null;
    pipeline: { name: string } | null;
    url: string;
  };
}

/** A Slack incoming-webhook message: one readable line and the link (mrkdwn `<url|text>`). */
export function slackMessage(payload: Record<string, unknown>): { text: string } {
  const { type, data } = payload as unknown as EnvelopeView;
  const slackText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (type === 'alert.test') return { text: `syncwatch: test notification. <${data.url}|Open the console>` };
  const what =
    type === 'alert.resolved'
      ? ':white_check_mark: Resolved'
      : data.alert?.repeat
        ? ':rotating_light: Still firing'
        : ':rotating_light: Firing';
  const where = data.pipeline ? ` on ${slackText(data.pipeline.name)}` : '';
  const severity = data.alert ? ` [${data.alert.severity}]` : '';
  const summary = data.alert ? `: ${slackText(data.alert.summary)}` : '';
  return { text: `${what}${severity} ${slackText(data.rule?.name ?? 'alert')}${where}${summary}. <${data.url}|Open in syncwatch>` };
}
