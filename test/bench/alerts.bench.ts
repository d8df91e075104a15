// Alerting: one evaluation cycle over 2,000 pipelines × 5 rules, before and after the history grows (it reads run
// counts, health facts and small partial indexes, so the time must not follow the record count), and how many
// signed webhook deliveries a second reach a local receiver.
// Part of `npm run bench` (BENCH_ONLY=alerts); BENCH_ALERT_RECORDS sets the history (default 1,000,000; 10,000,000 for
// the second point, which takes minutes to fill on 2 cores).

import { startReceiver } from '../support/webhook-receiver.js';
import { fillHistory } from './fill.js';
import {
  type BenchEnvironment,
  count,
  heading,
  ms,
  printTable,
  runWhenStartedDirectly,
  type SummaryRow,
  startBenchEnvironment,
} from './support.js';

const PIPELINES = 2_000;
const RUNS_PER_PIPELINE = 5;
const CYCLES = 10;
const DELIVERIES = 3_000;
const CYCLE_TARGET_MS = 200;
const DELIVERY_TARGET = 500;

// The 2,000 pipelines, each with a few finished runs (some failed, one running long) and an expected interval.
const PIPELINES_SQL = `
INSERT INTO pipelines (name, source_system, target_system, tenant_id, expected_interval_seconds)
SELECT format('Alert bench %s', lpad(g::text, 4, '0')), 'Billing', 'CRM', format('tenant-%s', g % 50), 3600
FROM generate_series(1, $1::int) g`;
const RUNS_SQL = `
INSERT INTO runs (pipeline_id, tenant_id, mode, status, created_at, started_at, ended_at, count_total, count_failed)
SELECT p.id, p.tenant_id, 'SCHEDULED', CASE WHEN (p.n + k) % 7 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END::run_status,
       now() - k * interval '10 minutes', now() - k * interval '10 minutes', now() - k * interval '10 minutes' + interval '1 minute', 100, (p.n % 3) * 10
FROM (SELECT id, tenant_id, row_number() OVER (ORDER BY name) AS n FROM pipelines WHERE name LIKE 'Alert bench %') p
CROSS JOIN generate_series(1, $1::int) k`;

const RULES: Record<string, unknown>[] = [
  { name: 'bench run failed', condition: 'RUN_FAILED' },
  { name: 'bench error rate', condition: 'ERROR_RATE', threshold: 0.15, windowSeconds: 3600 },
  { name: 'bench health', condition: 'PIPELINE_HEALTH', healthStates: ['FAILING', 'STALE'] },
  { name: 'bench dead letters', condition: 'DEAD_LETTERS', threshold: 100 },
  { name: 'bench duration', condition: 'RUN_DURATION', threshold: 3600 },
];

async function cycleTimes(env: BenchEnvironment): Promise<{ first: number; p50: number; max: number }> {
  const evaluator = env.instance.services.alertEvaluator;
  const started = performance.now();
  await evaluator.evaluate();
  const first = performance.now() - started;
  const times: number[] = [];
  for (let i = 0; i < CYCLES; i++) {
    const at = performance.now();
    await evaluator.evaluate();
    times.push(performance.now() - at);
  }
  times.sort((a, b) => a - b);
  return { first, p50: times[Math.floor(times.length / 2)], max: times[times.length - 1] };
}

export async function runAlertsBench(): Promise<SummaryRow[]> {
  const records = Number(process.env.BENCH_ALERT_RECORDS ?? 1_000_000);
  const env = await startBenchEnvironment({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  const receiver = await startReceiver();
  try {
    heading(`Alerts: one evaluation cycle over ${count(PIPELINES)} pipelines × ${RULES.length} rules, and deliveries a second`);
    await env.sql.query(PIPELINES_SQL, [PIPELINES]);
    await env.sql.query(RUNS_SQL, [RUNS_PER_PIPELINE]);
    const { createNotificationChannel } = await env.admin.ok<{ createNotificationChannel: { channel: { id: string } } }>(
      'mutation($input: ChannelInput!) { createNotificationChannel(input: $input) { channel { id } } }',
      { input: { name: 'bench receiver', kind: 'WEBHOOK', url: receiver.url } },
    );
    const channelId = createNotificationChannel.channel.id;
    for (const rule of RULES) {
      await env.admin.ok('mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }', {
        input: { ...rule, channelIds: [channelId] },
      });
    }
    await env.sql.query('VACUUM ANALYZE pipelines, runs');
    const empty = await cycleTimes(env);
    const filledAt = performance.now();
    await fillHistory(env.sql, Math.max(1, Math.round(records / 500)), 500);
    console.log(`filled ${count(records)} records in ${((performance.now() - filledAt) / 1000).toFixed(0)} s`);
    const filled = await cycleTimes(env);
    const { rows } = await env.sql.query<{ n: number; open: number }>(
      "SELECT (SELECT count(*) FROM records)::int AS n, (SELECT count(*) FROM alerts WHERE state <> 'RESOLVED')::int AS open",
    );

    // Deliveries: the outbox as the evaluator leaves it, plus enough tests to measure, sent by the leader's sender.
    await env.sql.query('DELETE FROM deliveries');
    await env.sql.query(
      `INSERT INTO deliveries (channel_id, event, payload)
       SELECT $1, 'alert.test', jsonb_build_object('version', 1, 'type', 'alert.test', 'data', jsonb_build_object('n', g)) FROM generate_series(1, $2::int) g`,
      [channelId, DELIVERIES],
    );
    const sendStarted = performance.now();
    while ((await env.instance.services.deliveries.sendDue()) > 0) {
      /* until the outbox is empty */
    }
    const seconds = (performance.now() - sendStarted) / 1000;
    const { rows: sent } = await env.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE status = 'DELIVERED'");
    const perSecond = sent[0].n / seconds;

    printTable(
      ['measure', 'with no records', `with ${count(rows[0].n)} records`],
      [
        ['first cycle (opens the alerts)', ms(empty.first), ms(filled.first)],
        ['cycle p50', ms(empty.p50), ms(filled.p50)],
        ['cycle max', ms(empty.max), ms(filled.max)],
      ],
    );
    console.log(
      `open alerts: ${count(rows[0].open)}; deliveries: ${count(sent[0].n)} in ${seconds.toFixed(1)} s, ${Math.round(perSecond)}/s (received ${count(receiver.received.length)})`,
    );
    return [
      {
        measure: `alert evaluation cycle p50, ${count(PIPELINES)} pipelines × ${RULES.length} rules, ${count(rows[0].n)} records`,
        value: `${ms(filled.p50)} (no records: ${ms(empty.p50)})`,
        target: `≤ ${CYCLE_TARGET_MS} ms`,
        met: filled.p50 <= CYCLE_TARGET_MS,
      },
      {
        measure: 'signed webhook deliveries a second to a local receiver',
        value: `${Math.round(perSecond)}/s`,
        target: `≥ ${DELIVERY_TARGET}/s`,
        met: perSecond >= DELIVERY_TARGET,
      },
    ];
  } finally {
    await receiver.close();
    await env.stop();
  }
}

runWhenStartedDirectly(import.meta.url, runAlertsBench);
