import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AlertCondition, AlertSeverity, ChannelKind } from '../../domain/alerts.js';
import { PipelineHealthStatus } from '../../domain/pipeline-health.js';
import { Alert } from '../../entities/Alert.js';
import { Delivery } from '../../entities/Delivery.js';
import { NotificationChannel } from '../../entities/NotificationChannel.js';
import { PageInfo } from './connections.js';

@ObjectType({ description: 'An alert in a list, with its position.' })
export class AlertEdge {
  @Field(() => String, { description: 'Opaque position of this alert in the list.' })
  cursor: string;

  @Field(() => Alert, { description: 'The alert.' })
  node: Alert;
}

@ObjectType({ description: 'A page of alerts, newest first.' })
export class AlertConnection {
  @Field(() => [AlertEdge], { description: 'The alerts of this page.' })
  edges: AlertEdge[];

  @Field(() => PageInfo, { description: 'Paging state.' })
  pageInfo: PageInfo;
}

@ObjectType({ description: 'An alert fired, was acknowledged or resolved.' })
export class AlertEvent {
  @Field(() => String, { description: 'Position of this event in the stream; pass it as `since` to resume after it. Opaque.' })
  cursor: string;

  @Field(() => Alert, { description: 'The alert as it is now (re-read when the event is sent).' })
  alert: Alert;
}

@ObjectType({ description: 'A new channel, or one whose secret was rotated, with its signing secret shown this once.' })
export class CreatedChannel {
  @Field(() => NotificationChannel, { description: 'The channel.' })
  channel: NotificationChannel;

  @Field(() => String, {
    nullable: true,
    description: 'WEBHOOK: the `whsec_…` secret that signs its deliveries (Standard Webhooks); it cannot be shown again. Null for SLACK.',
  })
  signingSecret: string | null;
}

@ObjectType({ description: 'A delivery in the log, with its position.' })
export class DeliveryEdge {
  @Field(() => String, { description: 'Opaque position of this delivery in the list.' })
  cursor: string;

  @Field(() => Delivery, { description: 'The delivery.' })
  node: Delivery;
}

@ObjectType({ description: 'A page of the delivery log, newest first.' })
export class DeliveryConnection {
  @Field(() => [DeliveryEdge], { description: 'The deliveries of this page.' })
  edges: DeliveryEdge[];

  @Field(() => PageInfo, { description: 'Paging state.' })
  pageInfo: PageInfo;
}

@ObjectType({ description: 'A target a draft alert rule would fire for now: the alert the leader’s evaluation would open for it.' })
export class AlertPreviewTarget {
  @Field(() => ID, { nullable: true, description: 'The pipeline the alert would be about (an error group’s: where its failure was seen).' })
  pipelineId: string | null;

  @Field(() => String, { nullable: true, description: 'That pipeline’s name.' })
  pipelineName: string | null;

  @Field(() => ID, { nullable: true, description: 'The run that would fire it, if one does (a failed or long run, an error’s run).' })
  runId: string | null;

  @Field(() => String, { nullable: true, description: 'ERROR_GROUP_*: the error group’s fingerprint.' })
  fingerprint: string | null;

  @Field(() => String, { description: 'What the alert would say, as an alert’s summary.' })
  summary: string;

  @Field(() => Float, {
    nullable: true,
    description:
      'The measure that crossed the threshold, as an alert’s value: failed runs in a row, failed fraction, dead letters, seconds, failures.',
  })
  value: number | null;
}

@InputType({
  description:
    'An alert rule: what it watches, where, how loudly and whom it tells. Parameters a condition does not read must be left out.',
})
export class AlertRuleInput {
  @Field(() => String, { description: 'What the rule is called, up to 200 characters.' })
  name: string;

  @Field(() => AlertCondition, { description: 'What it watches.' })
  condition: AlertCondition;

  @Field(() => AlertSeverity, { nullable: true, defaultValue: AlertSeverity.WARNING, description: 'How bad its alerts are.' })
  severity?: AlertSeverity | null;

  @Field(() => [ID], { nullable: true, description: 'The pipelines it covers (of its tenant); null: every pipeline of its tenant scope.' })
  pipelineIds?: string[] | null;

  @Field(() => String, { nullable: true, description: 'The tenant it belongs to; a tenant-bound key’s rules are always its tenant’s.' })
  tenantId?: string | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'RUN_FAILED: consecutive failed runs, a whole number ≥ 1 (default 1). ERROR_RATE (required): a fraction above 0, at most 1. ' +
      'DEAD_LETTERS (required): waiting dead letters, ≥ 1. RUN_DURATION (required): seconds, ≥ 1. Others: leave out.',
  })
  threshold?: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'ERROR_RATE (required): seconds the rate is measured over, 60 to 2,592,000. ERROR_GROUP_*: the quiet window that resolves (default 3,600). Others: leave out.',
  })
  windowSeconds?: number | null;

  @Field(() => [PipelineHealthStatus], {
    nullable: true,
    description: 'PIPELINE_HEALTH (required): the states that fire, not HEALTHY. Others: leave out.',
  })
  healthStates?: PipelineHealthStatus[] | null;

  @Field(() => Int, { nullable: true, description: 'Remind every this many seconds while FIRING: 0 (default, never) or 60 to 2,592,000.' })
  repeatIntervalSeconds?: number | null;

  @Field(() => Boolean, { nullable: true, defaultValue: true, description: 'Whether the rule is evaluated.' })
  enabled?: boolean | null;

  @Field(() => [ID], {
    nullable: true,
    description: 'The channels told of its alerts (of its tenant, or unbound); none: alerts are only recorded.',
  })
  channelIds?: string[] | null;
}

@InputType({ description: 'A notification channel.' })
export class ChannelInput {
  @Field(() => String, { description: 'What the channel is called, up to 200 characters.' })
  name: string;

  @Field(() => ChannelKind, { description: 'WEBHOOK (signed JSON) or SLACK (incoming webhook).' })
  kind: ChannelKind;

  @Field(() => String, {
    description:
      'Where to POST: an http(s) URL (https for Slack). Loopback, private, link-local and metadata addresses are refused, also when a name resolves to one, unless WEBHOOK_ALLOW_PRIVATE.',
  })
  url: string;

  @Field(() => String, { nullable: true, description: 'The tenant it belongs to; a tenant-bound key’s channels are always its tenant’s.' })
  tenantId?: string | null;
}
