import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DeliveryStatus } from '../domain/alerts.js';
import { Alert } from '../entities/Alert.js';
import { Delivery } from '../entities/Delivery.js';
import { NotificationChannel } from '../entities/NotificationChannel.js';
import { actorOf, type Context } from '../graphql/context.js';
import { ChannelInput, CreatedChannel, DeliveryConnection } from './types/alerts.js';

const ADMIN = 'ADMIN (a channel URL is a secret); a tenant-bound key only its tenant’s. Audited.';

/** Notification channels and their delivery log. */
@Resolver(() => NotificationChannel)
export class ChannelResolver {
  @Authorized()
  @Query(() => [NotificationChannel], { description: 'The channels the key sees (a tenant-bound key: its tenant’s), oldest first.' })
  notificationChannels(@Ctx() ctx: Context): Promise<NotificationChannel[]> {
    return ctx.services.channels.list(actorOf(ctx));
  }

  @Authorized()
  @Query(() => DeliveryConnection, {
    description: 'The delivery log the key sees, newest first: each notification with its attempts, status code and error.',
  })
  async deliveries(
    @Ctx() ctx: Context,
    @Arg('channelId', () => ID, { nullable: true, description: 'Only deliveries to this channel.' }) channelId?: string,
    @Arg('statuses', () => [DeliveryStatus], { nullable: true, description: 'Only deliveries in these statuses (default: all).' })
    statuses?: DeliveryStatus[],
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: 'Page size, from 1 to 500.' }) first: number | null = 50,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after?: string,
  ): Promise<DeliveryConnection> {
    const page = await ctx.services.channels.deliveries(actorOf(ctx), channelId, statuses, first ?? 50, after);
    return { edges: page.items, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('admin')
  @Mutation(() => CreatedChannel, { description: `Creates a channel; a WEBHOOK’s signing secret is returned this once. ${ADMIN}` })
  createNotificationChannel(
    @Arg('input', () => ChannelInput, { description: 'The channel.' }) input: ChannelInput,
    @Ctx() ctx: Context,
  ): Promise<CreatedChannel> {
    return ctx.services.channels.create(actorOf(ctx), input);
  }

  @Authorized('admin')
  @Mutation(() => Boolean, { description: `Deletes a channel with its delivery log; rules stop telling it. ${ADMIN}` })
  deleteNotificationChannel(@Arg('id', () => ID, { description: 'The channel’s id.' }) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.channels.delete(actorOf(ctx), id);
  }

  @Authorized('admin')
  @Mutation(() => CreatedChannel, {
    description: `Gives a WEBHOOK channel a new signing secret, returned this once; for 24 hours the old one still signs beside it (two signatures in webhook-signature). ${ADMIN}`,
  })
  rotateChannelSecret(@Arg('id', () => ID, { description: 'The channel’s id.' }) id: string, @Ctx() ctx: Context): Promise<CreatedChannel> {
    return ctx.services.channels.rotateSecret(actorOf(ctx), id);
  }

  @Authorized('admin')
  @Mutation(() => Delivery, {
    description: `Sends an alert.test notification to the channel within seconds; follow it in deliveries. ${ADMIN}`,
  })
  testNotificationChannel(@Arg('id', () => ID, { description: 'The channel’s id.' }) id: string, @Ctx() ctx: Context): Promise<Delivery> {
    return ctx.services.channels.test(actorOf(ctx), id);
  }

  @Authorized('operate')
  @Mutation(() => Delivery, {
    description:
      'Sends a delivery again, whatever its status: the same body under the same webhook-id (receivers deduplicate by it). CONFLICT when its channel is disabled. OPERATOR; audited.',
  })
  redeliver(
    @Arg('deliveryId', () => ID, { description: 'The delivery’s id.' }) deliveryId: string,
    @Ctx() ctx: Context,
  ): Promise<Delivery> {
    return ctx.services.channels.redeliver(actorOf(ctx), deliveryId);
  }

  @FieldResolver(() => String, {
    description: 'Where it posts: the URL for admins; scheme and host only for other roles (a channel URL is a secret).',
  })
  target(@Root() channel: NotificationChannel, @Ctx() ctx: Context): string {
    return ctx.services.channels.targetFor(actorOf(ctx), channel);
  }
}

@Resolver(() => Delivery)
export class DeliveryResolver {
  @FieldResolver(() => NotificationChannel, { description: 'The channel it goes to.' })
  async channel(@Root() delivery: Delivery, @Ctx() ctx: Context): Promise<NotificationChannel> {
    const channel = await ctx.loaders.channel.load(delivery.channelId);
    if (!channel) throw new Error(`delivery ${delivery.id} has no channel`);
    return channel;
  }

  @FieldResolver(() => Alert, { nullable: true, description: 'The alert it tells of; null for alert.test (or a deleted rule’s alert).' })
  alert(@Root() delivery: Delivery, @Ctx() ctx: Context): Promise<Alert | null> | null {
    return delivery.alertId ? ctx.loaders.alert.load(delivery.alertId) : null;
  }
}
