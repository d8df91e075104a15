// The leader's sender of the outbox: due deliveries claimed a batch at a time, posted side by side (signed webhooks,
// Slack messages), each attempt recorded with its status code or error; a failure waits for the next step of the
// retry schedule, a channel failing for 5 days in a row is disabled with its reason.
import type { DataSource } from 'typeorm';
import { CHANNEL_FAILING_DISABLE_MS, ChannelKind, DeliveryStatus, nextAttemptAt, RETRY_DELAYS_MS } from '../../domain/alerts.js';
import { signedHeaders } from '../../domain/webhook-signature.js';
import { NotificationChannel } from '../../entities/NotificationChannel.js';
import { CHANNEL_FAILED_SQL, CHANNEL_SUCCEEDED_SQL, CLAIM_DUE_DELIVERIES_SQL, RECORD_ATTEMPT_SQL } from '../../sql/alerts.js';
import { slackMessage } from './alert-envelope.js';
import { type PostResult, postJson } from './outbound-post.js';

export interface DeliverySenderOptions {
  allowPrivate: boolean;
  /** Deadline of one request (DESIGN.md: 5 s). */
  timeoutMs?: number;
  /** Waits after each failed attempt (default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). */
  retryDelaysMs?: readonly number[];
  /** Requests in flight at once. */
  concurrency?: number;
  onDisabled?(channelId: string, reason: string): void;
}

interface Claimed {
  id: string;
  channel_id: string;
  event: string;
  payload: Record<string, unknown>;
  attempts: number;
}

const BATCH = 64;
/** A claimed delivery whose sender died is due again after this long (the same webhook-id: receivers deduplicate). */
const CLAIM_SECONDS = 60;
/** One call of sendDue sends for at most this long, so a backlog does not hold the job forever. */
const BUDGET_MS = 20_000;

export class DeliverySender {
  constructor(
    private readonly db: DataSource,
    private readonly options: DeliverySenderOptions,
  ) {}

  /** Sends what is due; returns how many attempts were made. */
  async sendDue(): Promise<number> {
    const until = Date.now() + BUDGET_MS;
    let attempts = 0;
    while (Date.now() < until) {
      const claimed: Claimed[] = await this.db.query(CLAIM_DUE_DELIVERIES_SQL, [BATCH, CLAIM_SECONDS]);
      if (claimed.length === 0) break;
      const channels = await this.db.getRepository(NotificationChannel).findBy(claimed.map((d) => ({ id: d.channel_id })));
      const channelById = new Map(channels.map((channel) => [channel.id, channel]));
      const queue = [...claimed];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await this.attempt(next, channelById.get(next.channel_id));
      };
      await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 16, queue.length) }, worker));
      attempts += claimed.length;
      if (claimed.length < BATCH) break;
    }
    return attempts;
  }

  private async attempt(delivery: Claimed, channel: NotificationChannel | undefined): Promise<void> {
    const started = Date.now();
    let result: PostResult;
    if (!channel?.enabled) {
      result = { statusCode: null, error: `channel disabled${channel?.disabledReason ? `: ${channel.disabledReason}` : ''}` };
    } else {
      result = await this.post(delivery, channel);
    }
    const now = new Date();
    const delivered = result.error === null;
    const next = delivered ? null : nextAttemptAt(delivery.attempts + 1, now, this.options.retryDelaysMs ?? RETRY_DELAYS_MS);
    const status = delivered ? DeliveryStatus.DELIVERED : next ? DeliveryStatus.PENDING : DeliveryStatus.FAILED;
    const entry = { at: now.toISOString(), statusCode: result.statusCode, error: result.error, durationMs: now.getTime() - started };
    await this.db.query(RECORD_ATTEMPT_SQL, [delivery.id, status, result.statusCode, result.error, next, JSON.stringify(entry)]);
    if (!channel?.enabled) return;
    if (delivered) {
      await this.db.query(CHANNEL_SUCCEEDED_SQL, [channel.id]);
      return;
    }
    const reason = `every delivery failed for 5 days; the last: ${result.error}`;
    const rows: { disabled: boolean }[] = await this.db.query(CHANNEL_FAILED_SQL, [channel.id, CHANNEL_FAILING_DISABLE_MS, reason]);
    if (rows[0]?.disabled) this.options.onDisabled?.(channel.id, reason);
  }

  private post(delivery: Claimed, channel: NotificationChannel): Promise<PostResult> {
    const options = { allowPrivate: this.options.allowPrivate, timeoutMs: this.options.timeoutMs ?? 5_000 };
    if (channel.kind === ChannelKind.SLACK) return postJson(channel.url, {}, JSON.stringify(slackMessage(delivery.payload)), options);
    const body = JSON.stringify(delivery.payload);
    const secrets = [
      channel.signingSecret,
      channel.previousSecretUntil && channel.previousSecretUntil > new Date() ? channel.previousSecret : null,
    ];
    const headers = signedHeaders(
      secrets.filter((secret): secret is string => !!secret),
      delivery.id,
      Math.floor(Date.now() / 1000),
      body,
    );
    return postJson(channel.url, headers, body, options);
  }
}
