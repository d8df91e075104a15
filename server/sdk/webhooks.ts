// For receivers of syncwatch's alert webhooks: verifies a delivery as the Standard Webhooks specification says
// (any `standardwebhooks` library does the same). Node's crypto only; nothing from the server.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a verified delivery carries: the versioned envelope syncwatch sends. */
export interface AlertWebhookEnvelope {
  version: number;
  type: 'alert.fired' | 'alert.resolved' | 'alert.test';
  createdAt: string;
  data: {
    alert: {
      id: string;
      state: string;
      severity: string;
      summary: string;
      value: number | null;
      fingerprint: string | null;
      repeat: boolean;
    } | null;
    rule: { id: string; name: string; condition: string; severity: string } | null;
    pipeline: { id: string; name: string; tenantId: string | null } | null;
    run: { id: string; status: string; error: string | null } | null;
    url: string;
  };
}

export class WebhookVerificationError extends Error {}

/** How far the timestamp may be from now, in seconds, before a delivery is refused as a replay. */
const DEFAULT_TOLERANCE_SECONDS = 300;

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: Headers, name: string): string {
  const value =
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get(n: string): string | null }).get(name)
      : (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/**
 * Verifies one delivery: `body` exactly as received (the raw text, not re-serialized JSON), its headers (a Node
 * `IncomingHttpHeaders` or a fetch `Headers`), and the channel's `whsec_…` secret. Returns the envelope; throws
 * WebhookVerificationError when no signature matches or the timestamp is too old. Deduplicate by `webhook-id`:
 * a retry or a redelivery carries the same one.
 */
export function verifyAlertWebhook(
  secret: string,
  body: string,
  headers: Headers,
  options: { toleranceSeconds?: number; now?: Date } = {},
): AlertWebhookEnvelope {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !/^\d+$/.test(timestamp) || !signatures)
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    throw new WebhookVerificationError('timestamp too far from now');
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  const matches = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError('no signature matches');
  return JSON.parse(body) as AlertWebhookEnvelope;
}
