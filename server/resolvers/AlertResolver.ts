import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AlertState } from '../domain/alerts.js';
import { Alert } from '../entities/Alert.js';
import { AlertRule } from '../entities/AlertRule.js';
import { NotificationChannel } from '../entities/NotificationChannel.js';
import { Pipeline } from '../entities/Pipeline.js';
import { SyncRun } from '../entities/SyncRun.js';
import { actorOf, type Context } from '../graphql/context.js';
import { AlertConnection, AlertPreviewTarget, AlertRuleInput } from './types/alerts.js';

const OPERATOR = 'OPERATOR; a tenant-bound key only its tenant’s. Audited.';

/** Alert rules and alerts. */
@Resolver(() => AlertRule)
export class AlertRuleResolver {
  @Authorized()
  @Query(() => [AlertRule], { description: 'The alert rules the key sees (a tenant-bound key: its tenant’s), oldest first.' })
  alertRules(@Ctx() ctx: Context): Promise<AlertRule[]> {
    return ctx.services.alertRules.listRules(actorOf(ctx));
  }

  @Authorized()
  @Query(() => AlertConnection, { description: 'Alerts the key sees (of its tenant’s rules for a tenant-bound key), newest first.' })
  async alerts(
    @Ctx() ctx: Context,
    @Arg('states', () => [AlertState], { nullable: true, description: 'Only alerts in these states (default: all).' })
    states?: AlertState[],
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: 'Page size, from 1 to 500.' }) first: number | null = 50,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after?: string,
  ): Promise<AlertConnection> {
    const page = await ctx.services.alertRules.listAlerts(actorOf(ctx), states, first ?? 50, after);
    return { edges: page.items, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('operate')
  @Query(() => [AlertPreviewTarget], {
    description:
      'What a rule would fire for now, evaluated as the leader evaluates rules, without saving or changing anything: the form’s “would fire now for”. ' +
      'Its input is checked as createAlertRule checks it (BAD_USER_INPUT naming the field), but for its name and channels, which are not read. ' +
      'Error group conditions read the failures of the rule’s quiet window as if just reported. OPERATOR; a tenant-bound key only its tenant’s pipelines.',
  })
  alertRulePreview(
    @Arg('input', () => AlertRuleInput, { description: 'The rule as it would be created.' }) input: AlertRuleInput,
    @Ctx() ctx: Context,
  ): Promise<AlertPreviewTarget[]> {
    return ctx.services.alertRules.previewRule(actorOf(ctx), input);
  }

  @Authorized('operate')
  @Mutation(() => AlertRule, {
    description: `Creates an alert rule. A missing or senseless parameter for its condition is BAD_USER_INPUT naming the field. ${OPERATOR}`,
  })
  createAlertRule(
    @Arg('input', () => AlertRuleInput, { description: 'The rule.' }) input: AlertRuleInput,
    @Ctx() ctx: Context,
  ): Promise<AlertRule> {
    return ctx.services.alertRules.createRule(actorOf(ctx), input);
  }

  @Authorized('operate')
  @Mutation(() => AlertRule, {
    description: `Replaces an alert rule’s settings and channels. Its open alerts stay open until they clear, unless the condition changes: then they are resolved and nobody is told. ${OPERATOR}`,
  })
  updateAlertRule(
    @Arg('id', () => ID, { description: 'The rule’s id.' }) id: string,
    @Arg('input', () => AlertRuleInput, { description: 'Its new settings.' }) input: AlertRuleInput,
    @Ctx() ctx: Context,
  ): Promise<AlertRule> {
    return ctx.services.alertRules.updateRule(actorOf(ctx), id, input);
  }

  @Authorized('operate')
  @Mutation(() => Boolean, {
    description: `Deletes an alert rule with its alerts (deliveries already written stay in the log). ${OPERATOR}`,
  })
  deleteAlertRule(@Arg('id', () => ID, { description: 'The rule’s id.' }) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.alertRules.deleteRule(actorOf(ctx), id);
  }

  @Authorized('operate')
  @Mutation(() => AlertRule, {
    description: `Mutes a rule until a time (it keeps evaluating and recording alerts, and tells nobody), or unmutes it (until null). ${OPERATOR}`,
  })
  muteAlertRule(
    @Arg('id', () => ID, { description: 'The rule’s id.' }) id: string,
    @Ctx() ctx: Context,
    @Arg('until', () => Date, { nullable: true, description: 'When the mute ends: in the future, within a year; null unmutes.' })
    until?: Date | null,
  ): Promise<AlertRule> {
    return ctx.services.alertRules.muteRule(actorOf(ctx), id, until);
  }

  @FieldResolver(() => [NotificationChannel], { description: 'The channels told of its alerts.' })
  async channels(@Root() rule: AlertRule, @Ctx() ctx: Context): Promise<NotificationChannel[]> {
    const ids = await ctx.loaders.ruleChannelIds.load(rule.id);
    const channels = await ctx.loaders.channel.loadMany(ids);
    return channels.filter((channel): channel is NotificationChannel => channel instanceof NotificationChannel);
  }
}

@Resolver(() => Alert)
export class AlertResolver {
  @Authorized('operate')
  @Mutation(() => Alert, {
    description: `Acknowledges a FIRING alert: no more reminders; it still resolves when the condition clears. CONFLICT when it is not FIRING. ${OPERATOR}`,
  })
  acknowledgeAlert(
    @Arg('id', () => ID, { description: 'The alert’s id.' }) id: string,
    @Ctx() ctx: Context,
    @Arg('note', () => String, { nullable: true, description: 'What is being done, up to 2,000 characters.' }) note?: string,
  ): Promise<Alert> {
    return ctx.services.alertRules.acknowledge(actorOf(ctx), id, note);
  }

  @FieldResolver(() => AlertRule, { description: 'The rule that fired.' })
  async rule(@Root() alert: Alert, @Ctx() ctx: Context): Promise<AlertRule> {
    const rule = await ctx.loaders.alertRule.load(alert.ruleId);
    if (!rule) throw new Error(`alert ${alert.id} has no rule`);
    return rule;
  }

  @FieldResolver(() => Pipeline, { nullable: true, description: 'The pipeline it concerns; null when none (or it is gone).' })
  pipeline(@Root() alert: Alert, @Ctx() ctx: Context): Promise<Pipeline | null> | null {
    return alert.pipelineId ? ctx.loaders.pipeline.load(alert.pipelineId) : null;
  }

  @FieldResolver(() => SyncRun, {
    nullable: true,
    description: 'The run that fired it, when one did (RUN_FAILED, RUN_DURATION, ERROR_GROUP_*).',
  })
  run(@Root() alert: Alert, @Ctx() ctx: Context): Promise<SyncRun | null> | null {
    return alert.runId ? ctx.loaders.run.load(alert.runId) : null;
  }
}
