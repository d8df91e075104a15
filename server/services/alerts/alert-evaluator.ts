// The leader's evaluation of every enabled rule: pipeline conditions from the runs' counts, health facts and small
// partial indexes (one probe per pipeline, never a walk of history); error group conditions from the record batches
// of the event table, after the position this evaluator saved. One transaction a cycle: the alerts opened, resolved
// and reminded, their outbox rows, their events and the saved position commit together, so a leader that dies
// mid-cycle leaves nothing half done and the next leader neither loses nor repeats a change.
import type { DataSource, EntityManager } from 'typeorm';
import {
  AlertCondition,
  type AlertEventType,
  AlertState,
  DEFAULT_QUIET_SECONDS,
  ERROR_GROUP_CONDITIONS,
  repeatDue,
} from '../../domain/alerts.js';
import { RunStatus } from '../../domain/enums.js';
import { groupBy } from '../../domain/group-by.js';
import { duration, type HealthFacts, pipelineHealth } from '../../domain/pipeline-health.js';
import { FAILED_RECORD_STATUSES } from '../../domain/record-outcome.js';
import { Alert } from '../../entities/Alert.js';
import { AlertRule } from '../../entities/AlertRule.js';
import { Pipeline } from '../../entities/Pipeline.js';
import { latestPosition, readEvents } from '../../events/event-store.js';
import { type EventPosition, START } from '../../events/position.js';
import {
  ALERT_SEEN_SQL,
  ERROR_RATE_FACTS_SQL,
  EVALUATION_LOCK_SQL,
  EVALUATOR_POSITION_SQL,
  EVER_ALERTED_SQL,
  FAILURES_OF_RECORDS_SQL,
  LATEST_FINISHED_RUNS_SQL,
  OPEN_ALERT_SQL,
  PURGE_ALERTS_SQL,
  PURGE_DELIVERIES_SQL,
  RECENT_FAILURES_SQL,
  REMIND_ALERT_SQL,
  RESOLUTIONS_SQL,
  RESOLVE_ALERT_SQL,
  RUNNING_RUNS_SQL,
  SAVE_EVALUATOR_POSITION_SQL,
  SEEN_BEFORE_SQL,
} from '../../sql/alerts.js';
import type { PipelineHealthService } from '../analytics/pipeline-health.service.js';
import type { AlertOutbox } from './alert-outbox.js';

/** What holds for one target now: it fires (with what to say), it has cleared, or neither (keep what is open). */
type Verdict = { fire: Finding } | 'clear' | 'keep';

export interface Finding {
  pipelineId: string | null;
  runId: string | null;
  fingerprint: string | null;
  summary: string;
  value: number | null;
}

interface Failure {
  id: string;
  run_id: string;
  pipeline_id: string;
  tenant_id: string | null;
  fingerprint: string;
  error_code: string | null;
  error_message: string | null;
  started_at: Date;
}

/** A target a rule would fire for now (AlertEvaluator.preview): what its alert would say, and its pipeline's name. */
export interface PreviewTarget extends Finding {
  pipelineName: string | null;
}

export interface EvaluationResult {
  opened: number;
  resolved: number;
  reminded: number;
}

/** Record batches read from the event table per page, and pages per cycle (the rest waits for the next one). */
const EVENT_PAGE = 500;
const EVENT_PAGES_PER_CYCLE = 20;
/** RUN_FAILED looks at most this many runs back (a threshold above it means "this many"). */
const MAX_CONSECUTIVE = 100;
/** Rows deleted per retention statement, so no long lock is held. */
const PURGE_SLICE = 10_000;
/** Pipelines per health facts statement: a few statements side by side use both cores of a small machine. */
const FACTS_CHUNK = 500;

const percent = (fraction: number) => `${Math.round(fraction * 1000) / 10} %`;

/** Failures the preview of an error group rule reads at most (the latest of its quiet window). */
const PREVIEW_FAILURES = 10_000;

/** Whether the rule watches the pipeline: in its tenant (if it has one) and among its pipelines (if it names any). */
const covers = (rule: AlertRule, pipeline: Pipeline) =>
  (rule.tenantId === null || pipeline.tenantId === rule.tenantId) && (rule.pipelineIds === null || rule.pipelineIds.includes(pipeline.id));

/** The columns of the pipelines a cycle reads. */
const PIPELINE_FACTS = { id: true, name: true, tenantId: true, createdAt: true, expectedIntervalSeconds: true } as const;

export class AlertEvaluator {
  constructor(
    private readonly db: DataSource,
    private readonly health: PipelineHealthService,
    private readonly outbox: AlertOutbox,
  ) {}

  /** One cycle over every enabled rule. */
  evaluate(now = new Date()): Promise<EvaluationResult> {
    return this.db.transaction(async (manager) => {
      await manager.query(EVALUATION_LOCK_SQL);
      const result: EvaluationResult = { opened: 0, resolved: 0, reminded: 0 };
      const rules = await manager.find(AlertRule, { where: { enabled: true } });
      const pipelines = await manager.find(Pipeline, { select: PIPELINE_FACTS });
      const open = rules.length
        ? await manager
            .getRepository(Alert)
            .createQueryBuilder('a')
            .where('a.state <> :resolved', { resolved: AlertState.RESOLVED })
            .andWhere('a.rule_id IN (:...rules)', { rules: rules.map((rule) => rule.id) })
            .getMany()
        : [];
      const openByKey = new Map(open.map((alert) => [`${alert.ruleId}|${alert.targetKey}`, alert]));
      const covered = (rule: AlertRule) => pipelines.filter((p) => covers(rule, p));

      const verdicts = await this.pipelineVerdicts(
        rules.filter((rule) => !ERROR_GROUP_CONDITIONS.includes(rule.condition)),
        covered,
        now,
      );
      for (const [rule, targets] of verdicts) {
        for (const [pipelineId, verdict] of targets) {
          const alert = openByKey.get(`${rule.id}|${pipelineId}`);
          await this.apply(manager, rule, pipelineId, alert ?? null, verdict, now, result);
        }
        // An open alert for a pipeline the rule no longer covers has nothing left to watch.
        for (const alert of open) {
          if (alert.ruleId === rule.id && !targets.has(alert.targetKey))
            await this.apply(manager, rule, alert.targetKey, alert, 'clear', now, result);
        }
      }

      const groupRules = rules.filter((rule) => ERROR_GROUP_CONDITIONS.includes(rule.condition));
      await this.readFailures(manager, groupRules, covered, openByKey, result);
      for (const rule of groupRules) {
        const alerts = open.filter((alert) => alert.ruleId === rule.id);
        if (alerts.length === 0) continue;
        const resolutions = await this.resolutions(
          manager,
          alerts.map((a) => a.targetKey),
          rule.tenantId,
        );
        const quietMs = (rule.windowSeconds ?? DEFAULT_QUIET_SECONDS) * 1000;
        for (const alert of alerts) {
          const current = await manager.findOneBy(Alert, { id: alert.id });
          if (!current || current.state === AlertState.RESOLVED) continue;
          const resolvedAt = resolutions.get(alert.targetKey);
          const settled = resolvedAt !== undefined && resolvedAt > current.firedAt;
          const quiet = now.getTime() - current.lastSeenAt.getTime() >= quietMs;
          await this.apply(manager, rule, alert.targetKey, current, settled || quiet ? 'clear' : 'keep', now, result);
        }
      }
      return result;
    });
  }

  /**
   * What `rule` would fire for now, by the verdicts a cycle reaches, writing nothing: a draft (not saved, without an
   * id) as well as a saved rule. Pipeline conditions: the verdicts of a cycle on the same facts. Error group
   * conditions: the failures of the rule's quiet window (the latest PREVIEW_FAILURES) judged as if just reported,
   * less the groups resolved since they fired.
   */
  async preview(rule: AlertRule, now = new Date()): Promise<PreviewTarget[]> {
    const pipelines = await this.db.manager.find(Pipeline, { select: PIPELINE_FACTS });
    const covered = (r: AlertRule) => pipelines.filter((p) => covers(r, p));
    const findings: Finding[] = [];
    if (ERROR_GROUP_CONDITIONS.includes(rule.condition)) {
      findings.push(...(await this.groupPreview(rule, covered(rule), now)));
    } else {
      const verdicts = await this.pipelineVerdicts([rule], covered, now);
      for (const verdict of verdicts.get(rule)?.values() ?? []) if (typeof verdict !== 'string') findings.push(verdict.fire);
    }
    const names = new Map(pipelines.map((p) => [p.id, p.name]));
    return findings.map((finding) => ({ ...finding, pipelineName: finding.pipelineId ? (names.get(finding.pipelineId) ?? null) : null }));
  }

  private async groupPreview(rule: AlertRule, pipelines: Pipeline[], now: Date): Promise<Finding[]> {
    if (pipelines.length === 0) return [];
    const quietSeconds = rule.windowSeconds ?? DEFAULT_QUIET_SECONDS;
    const since = new Date(now.getTime() - quietSeconds * 1000);
    const latest: Failure[] = await this.db.query(RECENT_FAILURES_SQL, [
      pipelines.map((p) => p.id),
      FAILED_RECORD_STATUSES,
      since,
      PREVIEW_FAILURES,
    ]);
    const byFingerprint = groupBy(
      latest.sort((a, b) => a.started_at.getTime() - b.started_at.getTime()),
      (failure) => failure.fingerprint,
    );
    const resolutions = await this.resolutions(this.db.manager, [...byFingerprint.keys()], rule.tenantId);
    const findings: Finding[] = [];
    for (const [fingerprint, failures] of byFingerprint) {
      const resolvedAt = resolutions.get(fingerprint);
      const finding = await this.groupFinding(this.db.manager, rule, fingerprint, failures, failures, resolvedAt);
      // Its alert would have cleared when the group was resolved after it fired (a cycle's "settled").
      const firedAt = rule.condition === AlertCondition.ERROR_GROUP_NEW ? failures[0].started_at : failures[failures.length - 1].started_at;
      if (finding && !(resolvedAt !== undefined && resolvedAt > firedAt)) findings.push(finding);
    }
    return findings;
  }

  /** Retention: deliveries no longer pending and alerts resolved longer ago than `days`, a slice at a time. */
  async purgeOlderThan(days: number): Promise<number> {
    let deleted = 0;
    for (const statement of [PURGE_DELIVERIES_SQL, PURGE_ALERTS_SQL]) {
      for (;;) {
        const [{ n }]: { n: number }[] = await this.db.query(statement, [days, PURGE_SLICE]);
        deleted += n;
        if (n < PURGE_SLICE) break;
      }
    }
    return deleted;
  }

  /** Opens, resolves or reminds one rule's alert for one target, as the verdict says. */
  private async apply(
    manager: EntityManager,
    rule: AlertRule,
    targetKey: string,
    alert: Alert | null,
    verdict: Verdict,
    now: Date,
    result: EvaluationResult,
  ): Promise<void> {
    if (alert === null) {
      if (typeof verdict === 'string') return;
      const f = verdict.fire;
      const rows: { id: string }[] = await manager.query(OPEN_ALERT_SQL, [
        rule.id,
        targetKey,
        rule.tenantId,
        f.pipelineId,
        f.runId,
        f.fingerprint,
        rule.severity,
        f.summary,
        f.value,
      ]);
      if (rows.length === 0) return; // opened meanwhile (only by another evaluator, which the lock prevents)
      await this.tell(manager, rows[0].id, rule, 'alert.fired', result, 'opened');
      return;
    }
    if (verdict === 'clear') {
      const rows: { id: string }[] = await manager.query(RESOLVE_ALERT_SQL, [alert.id]);
      if (rows.length) await this.tell(manager, alert.id, rule, 'alert.resolved', result, 'resolved');
      return;
    }
    if (repeatDue(alert.state, rule.repeatIntervalSeconds, alert.lastNotifiedAt, now)) {
      const rows: { id: string }[] = await manager.query(REMIND_ALERT_SQL, [alert.id]);
      if (rows.length) await this.tell(manager, alert.id, rule, 'alert.fired', result, 'reminded', true);
    }
  }

  private async tell(
    manager: EntityManager,
    alertId: string,
    rule: AlertRule,
    type: AlertEventType,
    result: EvaluationResult,
    counter: keyof EvaluationResult,
    repeat = false,
  ): Promise<void> {
    const alert = await manager.findOneByOrFail(Alert, { id: alertId });
    await this.outbox.notify(manager, alert, rule, type, repeat);
    if (!repeat) await this.outbox.changed(manager, [alert]);
    result[counter]++;
  }

  /** For each pipeline condition rule, the verdict for each pipeline it covers. */
  private async pipelineVerdicts(
    rules: AlertRule[],
    covered: (rule: AlertRule) => Pipeline[],
    now: Date,
  ): Promise<Map<AlertRule, Map<string, Verdict>>> {
    const verdicts = new Map<AlertRule, Map<string, Verdict>>();
    if (rules.length === 0) return verdicts;
    const needs = (conditions: AlertCondition[]) => {
      const ids = new Set<string>();
      for (const rule of rules) if (conditions.includes(rule.condition)) for (const p of covered(rule)) ids.add(p.id);
      return [...ids];
    };

    // The facts are read side by side on pooled connections, outside the cycle's transaction: they only read
    // committed rows, and the health facts of 2,000 pipelines are most of a cycle's time.
    const finished = new Map<string, { statuses: string[]; runIds: string[]; durations: (number | null)[] }>();
    const rates = new Map<string, { total: number; failed: number }>();
    const facts = new Map<string, HealthFacts>();
    const running = new Map<string, { id: string; seconds: number }>();
    const reads: Promise<void>[] = [];

    const finishedIds = needs([AlertCondition.RUN_FAILED, AlertCondition.RUN_DURATION]);
    const depth = Math.min(
      MAX_CONSECUTIVE,
      Math.max(1, ...rules.filter((r) => r.condition === AlertCondition.RUN_FAILED).map((r) => r.threshold ?? 1)),
    );
    if (finishedIds.length) {
      reads.push(
        (async () => {
          const rows: { pipeline_id: string; statuses: string[] | null; run_ids: string[] | null; durations: (number | null)[] | null }[] =
            await this.db.query(LATEST_FINISHED_RUNS_SQL, [finishedIds, depth]);
          for (const row of rows)
            finished.set(row.pipeline_id, { statuses: row.statuses ?? [], runIds: row.run_ids ?? [], durations: row.durations ?? [] });
        })(),
      );
    }

    const pairs = rules
      .filter((r) => r.condition === AlertCondition.ERROR_RATE)
      .flatMap((rule) => covered(rule).map((p) => [p.id, rule.windowSeconds ?? 3600] as const));
    if (pairs.length) {
      reads.push(
        (async () => {
          const rows: { pipeline_id: string; window_seconds: number; total: string; failed: string }[] = await this.db.query(
            ERROR_RATE_FACTS_SQL,
            [pairs.map(([id]) => id), pairs.map(([, window]) => window)],
          );
          for (const row of rows)
            rates.set(`${row.pipeline_id}|${row.window_seconds}`, { total: Number(row.total), failed: Number(row.failed) });
        })(),
      );
    }

    const factIds = needs([AlertCondition.PIPELINE_HEALTH, AlertCondition.DEAD_LETTERS]);
    for (let i = 0; i < factIds.length; i += FACTS_CHUNK) {
      const chunk = factIds.slice(i, i + FACTS_CHUNK);
      reads.push(
        (async () => {
          const list = await this.health.factsFor(chunk, now);
          for (const [j, id] of chunk.entries()) facts.set(id, list[j]);
        })(),
      );
    }

    if (rules.some((r) => r.condition === AlertCondition.RUN_DURATION)) {
      reads.push(
        (async () => {
          const rows: { id: string; pipeline_id: string; seconds: number }[] = await this.db.query(RUNNING_RUNS_SQL);
          for (const row of rows) {
            const longest = running.get(row.pipeline_id);
            if (!longest || row.seconds > longest.seconds) running.set(row.pipeline_id, { id: row.id, seconds: row.seconds });
          }
        })(),
      );
    }
    await Promise.all(reads);

    for (const rule of rules) {
      const targets = new Map<string, Verdict>();
      verdicts.set(rule, targets);
      for (const pipeline of covered(rule)) {
        const base = { pipelineId: pipeline.id, fingerprint: null };
        let verdict: Verdict = 'clear';
        switch (rule.condition) {
          case AlertCondition.RUN_FAILED: {
            const runs = finished.get(pipeline.id);
            const statuses = runs?.statuses ?? [];
            let leading = 0;
            while (leading < statuses.length && statuses[leading] === RunStatus.FAILED) leading++;
            const threshold = rule.threshold ?? 1;
            if (leading >= Math.min(threshold, MAX_CONSECUTIVE)) {
              const summary =
                leading === 1 ? `the last run of ${pipeline.name} failed` : `${leading} runs of ${pipeline.name} failed in a row`;
              verdict = { fire: { ...base, runId: runs?.runIds[0] ?? null, summary, value: leading } };
            } else verdict = leading === 0 ? 'clear' : 'keep';
            break;
          }
          case AlertCondition.ERROR_RATE: {
            const window = rule.windowSeconds ?? 3600;
            const rate = rates.get(`${pipeline.id}|${window}`);
            const value = rate && rate.total > 0 ? rate.failed / rate.total : null;
            if (value !== null && value >= (rule.threshold ?? 1)) {
              const summary = `${percent(value)} of ${pipeline.name}'s records failed in the last ${duration(window * 1000)} (${rate?.failed} of ${rate?.total})`;
              verdict = { fire: { ...base, runId: null, summary, value } };
            }
            break;
          }
          case AlertCondition.PIPELINE_HEALTH: {
            const view = pipelineHealth(pipeline, facts.get(pipeline.id) as HealthFacts, now);
            if (rule.healthStates?.includes(view.status)) {
              verdict = { fire: { ...base, runId: null, summary: `${pipeline.name} is ${view.status}: ${view.reason}`, value: null } };
            }
            break;
          }
          case AlertCondition.DEAD_LETTERS: {
            const waiting = facts.get(pipeline.id)?.deadLetters ?? 0;
            if (waiting >= (rule.threshold ?? 1)) {
              verdict = { fire: { ...base, runId: null, summary: `${waiting} dead letters wait in ${pipeline.name}`, value: waiting } };
            }
            break;
          }
          case AlertCondition.RUN_DURATION: {
            const limit = rule.threshold ?? Number.POSITIVE_INFINITY;
            const current = running.get(pipeline.id);
            const last = finished.get(pipeline.id);
            const lastSeconds = last?.durations[0] ?? null;
            if (current && current.seconds > limit) {
              const summary = `a run of ${pipeline.name} has been running for ${Math.round(current.seconds)} s (limit ${limit} s)`;
              verdict = { fire: { ...base, runId: current.id, summary, value: Math.round(current.seconds) } };
            } else if (lastSeconds !== null && lastSeconds > limit) {
              const summary = `the last run of ${pipeline.name} ran for ${Math.round(lastSeconds)} s (limit ${limit} s)`;
              verdict = { fire: { ...base, runId: last?.runIds[0] ?? null, summary, value: Math.round(lastSeconds) } };
            }
            break;
          }
        }
        targets.set(pipeline.id, verdict);
      }
    }
    return verdicts;
  }

  /** Reads the record batches after the saved position, opens error group alerts and notes when groups were seen. */
  private async readFailures(
    manager: EntityManager,
    rules: AlertRule[],
    covered: (rule: AlertRule) => Pipeline[],
    openByKey: Map<string, Alert>,
    result: EvaluationResult,
  ): Promise<void> {
    const [saved]: { event_xid: string; event_id: string }[] = await manager.query(EVALUATOR_POSITION_SQL);
    let position: EventPosition | null = saved ? { xid: BigInt(saved.event_xid), id: BigInt(saved.event_id) } : null;
    if (position === null || rules.length === 0) {
      // Nothing watches failures (or never did): start from now, so a later rule does not read the whole history.
      const latest = (await latestPosition(this.db)) ?? START;
      await manager.query(SAVE_EVALUATOR_POSITION_SQL, [latest.xid.toString(), latest.id.toString()]);
      return;
    }
    const coverage = rules.map((rule) => ({ rule, pipelines: new Set(covered(rule).map((p) => p.id)) }));
    for (let page = 0; page < EVENT_PAGES_PER_CYCLE; page++) {
      const events = await readEvents(this.db, position, EVENT_PAGE, { scope: { kinds: ['records'] } });
      if (events.length === 0) break;
      const recordIds = events.flatMap((event) => (event.kind === 'records' ? event.payload.recordIds : []));
      const runIds = [...new Set(events.flatMap((event) => (event.kind === 'records' ? [event.runId] : [])))];
      const failures: Failure[] = recordIds.length
        ? await manager.query(FAILURES_OF_RECORDS_SQL, [recordIds, FAILED_RECORD_STATUSES, runIds])
        : [];
      const byFingerprint = new Map<string, Failure[]>();
      for (const failure of failures) {
        const list = byFingerprint.get(failure.fingerprint) ?? [];
        list.push(failure);
        byFingerprint.set(failure.fingerprint, list);
      }
      for (const { rule, pipelines } of coverage) {
        const fingerprints = [...byFingerprint.keys()];
        const resolutions =
          rule.condition === AlertCondition.ERROR_GROUP_REGRESSED ? await this.resolutions(manager, fingerprints, rule.tenantId) : null;
        for (const [fingerprint, all] of byFingerprint) {
          const mine = all.filter((f) => pipelines.has(f.pipeline_id));
          if (mine.length === 0) continue;
          mine.sort((a, b) => a.started_at.getTime() - b.started_at.getTime());
          await manager.query(ALERT_SEEN_SQL, [rule.id, fingerprint]);
          if (openByKey.has(`${rule.id}|${fingerprint}`)) continue;
          const finding = await this.groupFinding(manager, rule, fingerprint, all, mine, resolutions?.get(fingerprint));
          if (finding) {
            await this.apply(manager, rule, fingerprint, null, { fire: finding }, new Date(), result);
            const opened = await manager.findOneBy(Alert, { ruleId: rule.id, targetKey: fingerprint, state: AlertState.FIRING });
            if (opened) openByKey.set(`${rule.id}|${fingerprint}`, opened);
          }
        }
      }
      position = events[events.length - 1].position;
      await manager.query(SAVE_EVALUATOR_POSITION_SQL, [position.xid.toString(), position.id.toString()]);
      if (events.length < EVENT_PAGE) break;
    }
  }

  /**
   * What an error group rule finds in one fingerprint's failures just read: `mine` those of the pipelines it covers,
   * oldest first (never empty), `all` every one read. ERROR_GROUP_NEW: the first failure of the fingerprint in the
   * rule's tenant scope, and the rule never alerted for it; ERROR_GROUP_REGRESSED: a failure after its resolution.
   */
  private async groupFinding(
    manager: EntityManager,
    rule: AlertRule,
    fingerprint: string,
    all: Failure[],
    mine: Failure[],
    resolvedAt: Date | undefined,
  ): Promise<Finding | null> {
    const first = mine[0];
    const latest = mine[mine.length - 1];
    const what = first.error_message ?? first.error_code ?? fingerprint;
    if (rule.condition === AlertCondition.ERROR_GROUP_NEW) {
      // A draft (no id yet) never alerted.
      if (rule.id) {
        const [{ alerted }] = await manager.query(EVER_ALERTED_SQL, [rule.id, fingerprint]);
        if (alerted) return null;
      }
      const [{ seen }] = await manager.query(SEEN_BEFORE_SQL, [
        fingerprint,
        first.started_at,
        FAILED_RECORD_STATUSES,
        rule.tenantId,
        all.map((f) => f.id),
      ]);
      if (seen) return null;
      return { pipelineId: first.pipeline_id, runId: first.run_id, fingerprint, summary: `new error: ${clip(what)}`, value: mine.length };
    }
    if (resolvedAt === undefined || latest.started_at <= resolvedAt) return null;
    return {
      pipelineId: latest.pipeline_id,
      runId: latest.run_id,
      fingerprint,
      summary: `error regressed after it was resolved: ${clip(what)}`,
      value: mine.length,
    };
  }

  private async resolutions(manager: EntityManager, fingerprints: string[], tenantId: string | null): Promise<Map<string, Date>> {
    if (fingerprints.length === 0) return new Map();
    const rows: { fingerprint: string; resolved_at: Date }[] = await manager.query(RESOLUTIONS_SQL, [fingerprints, tenantId]);
    return new Map(rows.map((row) => [row.fingerprint, row.resolved_at]));
  }
}

const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 199)}…` : text);
