// Alert rules and alerts over the API: create, change, mute and delete rules (OPERATOR), acknowledge alerts, list
// both; each in the actor's tenant scope, each change audited in its transaction.
import { type DataSource, type EntityManager, In, Not } from 'typeorm';
import { type Actor, seenTenant, sees, tenantFor } from '../../domain/actor.js';
import { type AlertCondition, AlertSeverity, AlertState, checkRuleParameters, MAX_WINDOW_SECONDS } from '../../domain/alerts.js';
import { checkPageSize, decodeCursor, encodeCursor } from '../../domain/cursor.js';
import { badInput, conflict, notFound } from '../../domain/errors.js';
import { checkIds, isSerialId, isUuid } from '../../domain/ids.js';
import type { PipelineHealthStatus } from '../../domain/pipeline-health.js';
import { optionalText, requiredText } from '../../domain/text-limits.js';
import { Alert } from '../../entities/Alert.js';
import { AlertRule } from '../../entities/AlertRule.js';
import { NotificationChannel } from '../../entities/NotificationChannel.js';
import { Pipeline } from '../../entities/Pipeline.js';
import { ADD_RULE_CHANNELS_SQL, CHANNELS_OF_RULES_SQL, CLEAR_RULE_CHANNELS_SQL } from '../../sql/alerts.js';
import { tenantCondition } from '../../sql/tenancy.js';
import type { AuditService, Page } from '../access/audit.service.js';
import type { AlertEvaluator, PreviewTarget } from './alert-evaluator.js';
import type { AlertOutbox } from './alert-outbox.js';

export interface AlertRuleInput {
  name: string;
  condition: AlertCondition;
  severity?: AlertSeverity | null;
  pipelineIds?: string[] | null;
  tenantId?: string | null;
  threshold?: number | null;
  windowSeconds?: number | null;
  healthStates?: PipelineHealthStatus[] | null;
  repeatIntervalSeconds?: number | null;
  enabled?: boolean | null;
  channelIds?: string[] | null;
}

/** A mute longer than this is a disabled rule: say so with enabled: false. */
const MAX_MUTE_MS = MAX_WINDOW_SECONDS * 1000 * 12;

export class AlertRuleService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: AlertOutbox,
    private readonly evaluator: AlertEvaluator,
  ) {}

  /** The rules the actor sees, oldest first. */
  listRules(actor: Actor): Promise<AlertRule[]> {
    return this.db.getRepository(AlertRule).find({
      where: seenTenant(actor),
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async createRule(actor: Actor, input: AlertRuleInput): Promise<AlertRule> {
    return this.db.transaction(async (manager) => {
      const { fields, channelIds } = await this.checked(manager, actor, input);
      const rule = manager.create(AlertRule, { ...fields, createdBy: actor.name });
      await manager.save(rule);
      await this.setChannels(manager, rule.id, channelIds);
      await this.audit.write(manager, actor, 'createAlertRule', `alertRule:${rule.id}`, { ...fields, channelIds }, rule.tenantId);
      return rule;
    });
  }

  /**
   * What the rule would fire for now, by the leader's evaluation, writing nothing. Its input is checked as for
   * createRule, but for its name and channels (a form previews before they are filled in).
   */
  async previewRule(actor: Actor, input: AlertRuleInput): Promise<PreviewTarget[]> {
    const { fields } = await this.checked(this.db.manager, actor, input, 'preview');
    return this.evaluator.preview(this.db.manager.create(AlertRule, fields));
  }

  async updateRule(actor: Actor, id: string, input: AlertRuleInput): Promise<AlertRule> {
    return this.db.transaction(async (manager) => {
      const rule = await this.visibleRule(manager, actor, id);
      const { fields, channelIds } = await this.checked(manager, actor, input);
      const before = { ...rule };
      Object.assign(rule, fields);
      await manager.save(rule);
      // Its open alerts watched another condition: they end here (recorded, told to nobody: nothing cleared).
      if (before.condition !== rule.condition) {
        const open = await manager.find(Alert, { where: { ruleId: rule.id, state: Not(AlertState.RESOLVED) } });
        for (const alert of open) Object.assign(alert, { state: AlertState.RESOLVED, resolvedAt: new Date() });
        if (open.length) {
          await manager.save(open);
          await this.outbox.changed(manager, open);
        }
      }
      await this.setChannels(manager, rule.id, channelIds);
      await this.audit.write(
        manager,
        actor,
        'updateAlertRule',
        `alertRule:${rule.id}`,
        { before: strip(before), after: { ...fields, channelIds } },
        rule.tenantId,
      );
      return rule;
    });
  }

  async deleteRule(actor: Actor, id: string): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const rule = await this.visibleRule(manager, actor, id);
      await manager.delete(AlertRule, { id: rule.id });
      await this.audit.write(
        manager,
        actor,
        'deleteAlertRule',
        `alertRule:${rule.id}`,
        { name: rule.name, condition: rule.condition },
        rule.tenantId,
      );
      return true;
    });
  }

  /** Mutes the rule until `until` (in the future, within a year), or unmutes it (null). */
  async muteRule(actor: Actor, id: string, until: Date | null | undefined): Promise<AlertRule> {
    const now = Date.now();
    if (until != null) {
      if (Number.isNaN(until.getTime()) || until.getTime() <= now)
        throw badInput('until must be in the future (null unmutes)', { field: 'until' });
      if (until.getTime() - now > MAX_MUTE_MS) throw badInput('until must be within a year; disable the rule instead', { field: 'until' });
    }
    return this.db.transaction(async (manager) => {
      const rule = await this.visibleRule(manager, actor, id);
      rule.mutedUntil = until ?? null;
      await manager.save(rule);
      await this.audit.write(
        manager,
        actor,
        until ? 'muteAlertRule' : 'unmuteAlertRule',
        `alertRule:${rule.id}`,
        { until: until ?? null },
        rule.tenantId,
      );
      return rule;
    });
  }

  /** FIRING → ACKNOWLEDGED: no more reminders; it still resolves. CONFLICT when it is not FIRING. */
  async acknowledge(actor: Actor, id: string, note: string | null | undefined): Promise<Alert> {
    const text = optionalText(note, 'note', 2000);
    return this.db.transaction(async (manager) => {
      const alert = isUuid(id) ? await manager.findOne(Alert, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!alert || !sees(actor, alert.tenantId)) throw notFound('alert', id);
      if (alert.state !== AlertState.FIRING) throw conflict(`alert ${id} is ${alert.state}, not FIRING`);
      alert.state = AlertState.ACKNOWLEDGED;
      alert.acknowledgedAt = new Date();
      alert.acknowledgedBy = actor.name;
      alert.acknowledgementNote = text;
      await manager.save(alert);
      await this.outbox.changed(manager, [alert]);
      await this.audit.write(
        manager,
        actor,
        'acknowledgeAlert',
        `alert:${alert.id}`,
        { note: text, summary: alert.summary },
        alert.tenantId,
      );
      return alert;
    });
  }

  /** Alerts the actor sees, newest first, in the states asked (default: all). */
  async listAlerts(
    actor: Actor,
    states: AlertState[] | null | undefined,
    first: number,
    after: string | null | undefined,
  ): Promise<Page<Alert>> {
    checkPageSize(first);
    const query = this.db
      .getRepository(Alert)
      .createQueryBuilder('a')
      .orderBy('a.seq', 'DESC')
      .limit(first + 1);
    const tenant = tenantCondition('a.tenant_id', actor.tenantId, () => ':tenant');
    if (tenant) query.andWhere(tenant, { tenant: actor.tenantId });
    if (states?.length) query.andWhere('a.state IN (:...states)', { states });
    if (after) {
      const cursor = decodeCursor(after, 'SEQ');
      checkIds([cursor.id], isSerialId, 'after');
      query.andWhere('a.seq < :seq', { seq: cursor.id });
    }
    const rows = await query.getMany();
    const items = rows.slice(0, first).map((node) => ({ node, cursor: encodeCursor({ field: 'SEQ', value: null, id: String(node.seq) }) }));
    return { items, hasNextPage: rows.length > first, endCursor: items.at(-1)?.cursor ?? null };
  }

  /** Rules by id, for DataLoader (unscoped: callers hold alerts the actor sees). */
  async rulesByIds(ids: readonly string[]): Promise<(AlertRule | null)[]> {
    const rules = await this.db.getRepository(AlertRule).findBy({ id: In([...ids]) });
    const byId = new Map(rules.map((rule) => [rule.id, rule]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** Alerts by id, for DataLoader (unscoped: callers hold deliveries the actor sees). */
  async alertsByIds(ids: readonly string[]): Promise<(Alert | null)[]> {
    const alerts = await this.db.getRepository(Alert).findBy({ id: In([...ids]) });
    const byId = new Map(alerts.map((alert) => [alert.id, alert]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** The channel ids of each rule, for DataLoader. */
  async channelIdsOfRules(ids: readonly string[]): Promise<string[][]> {
    const rows: { rule_id: string; channel_id: string }[] = await this.db.query(CHANNELS_OF_RULES_SQL, [[...ids]]);
    return ids.map((id) => rows.filter((row) => row.rule_id === id).map((row) => row.channel_id));
  }

  private async visibleRule(manager: EntityManager, actor: Actor, id: string): Promise<AlertRule> {
    const rule = isUuid(id) ? await manager.findOneBy(AlertRule, { id }) : null;
    if (!rule || !sees(actor, rule.tenantId)) throw notFound('alert rule', id);
    return rule;
  }

  private async setChannels(manager: EntityManager, ruleId: string, channelIds: string[]): Promise<void> {
    await manager.query(CLEAR_RULE_CHANNELS_SQL, [ruleId]);
    if (channelIds.length) await manager.query(ADD_RULE_CHANNELS_SQL, [ruleId, channelIds]);
  }

  /**
   * The input checked: each bad field is BAD_USER_INPUT naming it, before anything is written. A preview reads
   * neither the name nor the channels.
   */
  private async checked(manager: EntityManager, actor: Actor, input: AlertRuleInput, purpose: 'save' | 'preview' = 'save') {
    const name = purpose === 'preview' ? input.name : requiredText(input.name, 'input.name');
    const tenantId = tenantFor(actor, optionalText(input.tenantId, 'input.tenantId'));
    const parameters = checkRuleParameters(input);
    const severity = input.severity ?? AlertSeverity.WARNING;
    let pipelineIds: string[] | null = null;
    if (input.pipelineIds != null) {
      checkIds(input.pipelineIds, isUuid, 'input.pipelineIds');
      pipelineIds = [...new Set(input.pipelineIds)];
      if (pipelineIds.length === 0)
        throw badInput('input.pipelineIds must name at least one pipeline (null: every pipeline)', { field: 'input.pipelineIds' });
      const pipelines = await manager.find(Pipeline, { select: { id: true, tenantId: true }, where: { id: In(pipelineIds) } });
      const known = new Map(pipelines.map((p) => [p.id, p]));
      const missing = pipelineIds.find((id) => {
        const pipeline = known.get(id);
        return !pipeline || !sees(actor, pipeline.tenantId) || (tenantId !== null && pipeline.tenantId !== tenantId);
      });
      if (missing)
        throw badInput(`input.pipelineIds: pipeline ${missing} does not exist in the rule's tenant scope`, { field: 'input.pipelineIds' });
    }
    const channelIds = purpose === 'preview' ? [] : [...new Set(input.channelIds ?? [])];
    checkIds(channelIds, isUuid, 'input.channelIds');
    if (channelIds.length) {
      const channels = await manager.find(NotificationChannel, { select: { id: true, tenantId: true }, where: { id: In(channelIds) } });
      const known = new Map(channels.map((c) => [c.id, c]));
      const missing = channelIds.find((id) => {
        const channel = known.get(id);
        return !channel || !sees(actor, channel.tenantId) || (channel.tenantId !== null && channel.tenantId !== tenantId);
      });
      if (missing)
        throw badInput(`input.channelIds: channel ${missing} does not exist in the rule's tenant scope`, { field: 'input.channelIds' });
    }
    return {
      fields: { name, condition: input.condition, severity, tenantId, pipelineIds, ...parameters, enabled: input.enabled ?? true },
      channelIds,
    };
  }
}

/** A rule as the audit log keeps it. */
function strip(rule: AlertRule): Record<string, unknown> {
  const { name, condition, severity, pipelineIds, tenantId, threshold, windowSeconds, healthStates, repeatIntervalSeconds, enabled } = rule;
  return { name, condition, severity, pipelineIds, tenantId, threshold, windowSeconds, healthStates, repeatIntervalSeconds, enabled };
}
