// Notification channels (ADMIN: a channel URL is a secret) and their delivery log: create, delete, rotate the signing
// secret, send a test, send a delivery again; each in the actor's tenant scope, each change audited.
import { isIP } from 'node:net';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { type Actor, can, seenTenant, sees, tenantFor } from '../../domain/actor.js';
import { ChannelKind, checkChannelUrl, type DeliveryStatus, maskedTarget, SECRET_OVERLAP_MS } from '../../domain/alerts.js';
import { checkPageSize, decodeCursor, encodeCursor } from '../../domain/cursor.js';
import { badInput, conflict, notFound } from '../../domain/errors.js';
import { checkIds, isSerialId, isUuid } from '../../domain/ids.js';
import { isPrivateAddress } from '../../domain/private-address.js';
import { optionalText, requiredText } from '../../domain/text-limits.js';
import { newSigningSecret } from '../../domain/webhook-signature.js';
import { Delivery } from '../../entities/Delivery.js';
import { NotificationChannel } from '../../entities/NotificationChannel.js';
import { REDELIVER_SQL } from '../../sql/alerts.js';
import { tenantCondition } from '../../sql/tenancy.js';
import type { AuditService, Page } from '../access/audit.service.js';
import type { AlertOutbox } from './alert-outbox.js';

export interface ChannelInput {
  name: string;
  kind: ChannelKind;
  url: string;
  tenantId?: string | null;
}

export interface CreatedChannelView {
  channel: NotificationChannel;
  signingSecret: string | null;
}

export class NotificationChannelService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: AlertOutbox,
    private readonly allowPrivate: boolean,
  ) {}

  /** The channels the actor sees, oldest first. */
  list(actor: Actor): Promise<NotificationChannel[]> {
    return this.db.getRepository(NotificationChannel).find({
      where: seenTenant(actor),
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** The channel's URL for admins; scheme and host only for the others. */
  targetFor(actor: Actor, channel: NotificationChannel): string {
    return can(actor, 'admin') ? channel.url : maskedTarget(channel.url);
  }

  async create(actor: Actor, input: ChannelInput): Promise<CreatedChannelView> {
    const name = requiredText(input.name, 'input.name');
    const tenantId = tenantFor(actor, optionalText(input.tenantId, 'input.tenantId'));
    const url = checkChannelUrl(input.url, input.kind);
    // Names are resolved and checked at each send; an address written out is refused now.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!this.allowPrivate && ((isIP(host) && isPrivateAddress(host)) || host === 'localhost' || host.endsWith('.localhost'))) {
      throw badInput(`input.url: ${host} is a loopback, private, link-local or metadata address (WEBHOOK_ALLOW_PRIVATE)`, {
        field: 'input.url',
      });
    }
    const signingSecret = input.kind === ChannelKind.WEBHOOK ? newSigningSecret() : null;
    return this.db.transaction(async (manager) => {
      const channel = manager.create(NotificationChannel, { name, kind: input.kind, url: url.toString(), tenantId, signingSecret });
      await manager.save(channel);
      await this.audit.write(
        manager,
        actor,
        'createNotificationChannel',
        `channel:${channel.id}`,
        { name, kind: input.kind, host },
        tenantId,
      );
      return { channel, signingSecret };
    });
  }

  async delete(actor: Actor, id: string): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const channel = await this.visible(manager, actor, id);
      await manager.delete(NotificationChannel, { id: channel.id });
      await this.audit.write(
        manager,
        actor,
        'deleteNotificationChannel',
        `channel:${channel.id}`,
        { name: channel.name },
        channel.tenantId,
      );
      return true;
    });
  }

  /** A new signing secret, shown once; the old one still signs beside it for 24 hours. */
  async rotateSecret(actor: Actor, id: string): Promise<CreatedChannelView> {
    return this.db.transaction(async (manager) => {
      const channel = await this.visible(manager, actor, id, true);
      if (channel.kind !== ChannelKind.WEBHOOK)
        throw badInput(`id: channel ${id} is ${channel.kind}; only WEBHOOK channels sign`, { field: 'id' });
      const signingSecret = newSigningSecret();
      channel.previousSecret = channel.signingSecret;
      channel.previousSecretUntil = new Date(Date.now() + SECRET_OVERLAP_MS);
      channel.signingSecret = signingSecret;
      await manager.save(channel);
      await this.audit.write(
        manager,
        actor,
        'rotateChannelSecret',
        `channel:${channel.id}`,
        { oldSecretUntil: channel.previousSecretUntil },
        channel.tenantId,
      );
      return { channel, signingSecret };
    });
  }

  /** Writes an alert.test delivery to the channel; the leader sends it within a second or so. */
  async test(actor: Actor, id: string): Promise<Delivery> {
    return this.db.transaction(async (manager) => {
      const channel = await this.visible(manager, actor, id);
      const deliveryId = await this.outbox.test(manager, channel);
      await this.audit.write(
        manager,
        actor,
        'testNotificationChannel',
        `channel:${channel.id}`,
        { delivery: deliveryId },
        channel.tenantId,
      );
      return manager.findOneByOrFail(Delivery, { id: deliveryId });
    });
  }

  /** Sends a delivery again, with the same webhook-id and body. */
  async redeliver(actor: Actor, deliveryId: string): Promise<Delivery> {
    return this.db.transaction(async (manager) => {
      const delivery = isUuid(deliveryId)
        ? await manager.findOne(Delivery, { where: { id: deliveryId }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!delivery || !sees(actor, delivery.tenantId)) throw notFound('delivery', deliveryId);
      const channel = await manager.findOneByOrFail(NotificationChannel, { id: delivery.channelId });
      if (!channel.enabled)
        throw conflict(`channel ${channel.id} is disabled (${channel.disabledReason ?? 'no reason'}); create it again to send to it`);
      await manager.query(REDELIVER_SQL, [delivery.id]);
      await this.audit.write(
        manager,
        actor,
        'redeliver',
        `delivery:${delivery.id}`,
        { channel: channel.id, event: delivery.event },
        delivery.tenantId,
      );
      return manager.findOneByOrFail(Delivery, { id: delivery.id });
    });
  }

  /** Deliveries the actor sees, newest first, of one channel and in some statuses when asked. */
  async deliveries(
    actor: Actor,
    channelId: string | null | undefined,
    statuses: DeliveryStatus[] | null | undefined,
    first: number,
    after: string | null | undefined,
  ): Promise<Page<Delivery>> {
    checkPageSize(first);
    if (channelId != null) checkIds([channelId], isUuid, 'channelId');
    const query = this.db
      .getRepository(Delivery)
      .createQueryBuilder('d')
      .orderBy('d.seq', 'DESC')
      .limit(first + 1);
    const tenant = tenantCondition('d.tenant_id', actor.tenantId, () => ':tenant');
    if (tenant) query.andWhere(tenant, { tenant: actor.tenantId });
    if (channelId != null) query.andWhere('d.channel_id = :channel', { channel: channelId });
    if (statuses?.length) query.andWhere('d.status IN (:...statuses)', { statuses });
    if (after) {
      const cursor = decodeCursor(after, 'SEQ');
      checkIds([cursor.id], isSerialId, 'after');
      query.andWhere('d.seq < :seq', { seq: cursor.id });
    }
    const rows = await query.getMany();
    const items = rows.slice(0, first).map((node) => ({ node, cursor: encodeCursor({ field: 'SEQ', value: null, id: String(node.seq) }) }));
    return { items, hasNextPage: rows.length > first, endCursor: items.at(-1)?.cursor ?? null };
  }

  /** Channels by id, for DataLoader. */
  async byIds(ids: readonly string[]): Promise<(NotificationChannel | null)[]> {
    const channels = await this.db.getRepository(NotificationChannel).findBy({ id: In([...ids]) });
    const byId = new Map(channels.map((channel) => [channel.id, channel]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  private async visible(manager: EntityManager, actor: Actor, id: string, lock = false): Promise<NotificationChannel> {
    const channel = isUuid(id)
      ? await manager.findOne(NotificationChannel, { where: { id }, ...(lock && { lock: { mode: 'pessimistic_write' as const } }) })
      : null;
    if (!channel || !sees(actor, channel.tenantId)) throw notFound('notification channel', id);
    return channel;
  }
}
