// Seven days of history on first start, through the real ingest path: runs started in the past, records in batches of 2,000.
import { createWorker, type Worker, type WorkerLogger } from '../sdk/index.js';
import { DEMO_PIPELINES, type DemoPipeline, type DemoPipelineKey } from './catalog.js';
import { pickEntity, type Random, runTrouble, seededRandom, simulateRecord } from './simulator.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/**
 * One slot of the plan: a billing push and a marketing run (pull and push in turn) each, an ERP run every other
 * slot. Each run costs the server a few transactions whatever its size, so history comes in hourly runs.
 */
const SLOT_MS = HOUR_MS;

export interface PlannedRun {
  pipeline: DemoPipeline;
  mode: 'REAL_TIME' | 'MANUAL' | 'SCHEDULED';
  operationType: string;
  startedAt: number;
  records: number;
  /** Records processed at once, which sets how long the run takes. */
  parallelism: number;
  failureScale: number;
  /** How the session itself ends when it does not simply finish. */
  breaks?: 'FAILED' | 'ROLLED_BACK' | 'CANCELLED';
  triggeredBy: string;
  /** Seed of the run's own random numbers, so concurrent runs do not make the history depend on timing. */
  seed: number;
}

export interface BackfillOptions {
  url: string;
  ingestKey: string;
  pipelineIds: Record<DemoPipelineKey, string>;
  logger: WorkerLogger;
  days?: number;
  /** Records in all (at least; default 220,000). */
  totalRecords?: number;
  /** Runs sent at once (default 6). */
  concurrency?: number;
  now?: number;
  random?: Random;
  /** Stops sending further runs (the ones under way finish). */
  signal?: AbortSignal;
}

export interface BackfillResult {
  runs: number;
  records: number;
  seconds: number;
}

/** Traffic by hour of day: quiet nights, busy office hours. */
function dayCurve(at: number): number {
  const hour = new Date(at).getUTCHours() + new Date(at).getUTCMinutes() / 60;
  return 0.3 + 0.7 * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 14));
}

/** The runs of the last `days` days, oldest first, scaled so their records add up to `totalRecords`. */
export function planHistory(now: number, days: number, totalRecords: number, random: Random): PlannedRun[] {
  const [billing, marketing, erp] = DEMO_PIPELINES;
  const start = Math.floor((now - days * DAY_MS) / SLOT_MS) * SLOT_MS;
  const end = now - 20 * MINUTE_MS; // every backfilled run has ended before the live ones begin
  // One bad hour per pipeline (an outage upstream) makes the error charts worth looking at.
  const incidents = new Map(DEMO_PIPELINES.map((p) => [p.key, start + Math.floor(random() * days * 24) * HOUR_MS]));
  const scale = (p: DemoPipeline, at: number) => (Math.abs(at - (incidents.get(p.key) ?? 0)) < HOUR_MS ? 10 : runTrouble(random));
  // Once a week an ERP sync is rolled back and an operator stops a billing full sync.
  const rollbackDay = Math.floor(random() * days);
  const cancelDay = Math.floor(random() * days);
  const dayOf = (at: number) => Math.floor((at - start) / DAY_MS);
  const runs: PlannedRun[] = [];
  const add = (run: Omit<PlannedRun, 'seed'>): void => {
    runs.push({ ...run, seed: Math.floor(random() * 2 ** 32) });
  };
  // A session now and then breaks (a connection lost mid-run); at least one in the week.
  const breakAt = start + Math.floor(random() * days * 24) * HOUR_MS;
  const session = (at: number): PlannedRun['breaks'] => (at === breakAt || random() < 0.006 ? 'FAILED' : undefined);

  for (let at = start; at < end; at += SLOT_MS) {
    const jitter = Math.floor(random() * 20 * MINUTE_MS);
    const slot = at + jitter;
    add({
      pipeline: billing,
      mode: 'REAL_TIME',
      operationType: 'Push changes',
      startedAt: slot,
      records: Math.max(1, Math.round(180 * dayCurve(slot) * (0.4 + random() * 1.2))),
      parallelism: 8,
      failureScale: scale(billing, slot),
      breaks: session(at),
      triggeredBy: 'billing webhook',
    });
    const pull = at % (2 * HOUR_MS) === 0;
    add({
      pipeline: marketing,
      mode: 'SCHEDULED',
      operationType: pull ? 'Pull updates' : 'Push updates',
      startedAt: at + 30 * MINUTE_MS,
      records: Math.max(5, Math.round(520 * dayCurve(at) * (0.6 + random() * 0.8))),
      parallelism: 20,
      failureScale: scale(marketing, at),
      breaks: session(at),
      triggeredBy: 'schedule',
    });
    if (at % (2 * HOUR_MS) === 0) {
      const rollback = dayOf(at) === rollbackDay && at % DAY_MS === 14 * HOUR_MS;
      add({
        pipeline: erp,
        mode: 'SCHEDULED',
        operationType: at % (6 * HOUR_MS) === 0 ? 'Sync inventory' : 'Sync products',
        startedAt: at + 5 * MINUTE_MS,
        records: Math.max(10, Math.round(800 * dayCurve(at) * (0.6 + random() * 0.8))),
        parallelism: 6,
        failureScale: scale(erp, at),
        breaks: rollback ? 'ROLLED_BACK' : session(at),
        triggeredBy: 'schedule',
      });
    }
    if (at % DAY_MS === 2 * HOUR_MS) {
      add({
        pipeline: billing,
        mode: 'MANUAL',
        operationType: 'Full sync',
        startedAt: at + 7 * MINUTE_MS,
        records: 2_500 + Math.floor(random() * 1_500),
        parallelism: 16,
        failureScale: runTrouble(random),
        breaks: dayOf(at) === cancelDay ? 'CANCELLED' : undefined,
        triggeredBy: 'ops@example.com',
      });
    }
  }
  const past = runs.filter((r) => r.startedAt < end); // a slot's later runs may fall in the live period
  const planned = past.reduce((sum, r) => sum + r.records, 0);
  const factor = totalRecords / planned;
  for (const run of past) run.records = Math.max(1, Math.ceil(run.records * factor));
  return past.sort((a, b) => a.startedAt - b.startedAt);
}

/** One past run: its records spread over parallel lanes from startedAt, then finished at the time the last one ended. */
async function sendRun(worker: Worker, plan: PlannedRun, now: number): Promise<number> {
  const random = seededRandom(plan.seed);
  const outcome = await worker.startRun(
    {
      mode: plan.mode,
      operationType: plan.operationType,
      startedAt: new Date(plan.startedAt).toISOString(),
      triggeredBy: plan.triggeredBy,
      expectedTotal: plan.records,
    },
    async (context) => {
      const lanes = new Array<number>(plan.parallelism).fill(plan.startedAt + 150);
      const offset = Math.floor(random() * plan.pipeline.population);
      // A broken session stops part-way, like a connection lost mid-run.
      const count =
        plan.breaks === 'FAILED' || plan.breaks === 'CANCELLED' ? Math.floor(plan.records * (0.2 + random() * 0.6)) : plan.records;
      for (let i = 0; i < count; i++) {
        const lane = i % plan.parallelism;
        const { record, latencyMs } = simulateRecord(plan.pipeline, {
          entity: pickEntity(plan.pipeline, random),
          n: (offset + i) % plan.pipeline.population,
          operationType: plan.operationType,
          startedAt: lanes[lane],
          random,
          failureScale: plan.failureScale,
        });
        lanes[lane] += latencyMs + 2 + Math.floor(random() * 20);
        // Old successes keep no details: a third less to send, and nobody reads last week's changed fields.
        if (record.status === 'SUCCESS' || record.status === 'SKIPPED') record.details = undefined;
        await context.report(record);
      }
      const endedAt = new Date(Math.min(now - MINUTE_MS, Math.max(...lanes) + 100)).toISOString();
      if (plan.breaks === 'FAILED') {
        return {
          status: 'FAILED' as const,
          endedAt,
          error: `${plan.pipeline.input.targetSystem} connection failure: read ECONNRESET after ${count} records`,
        };
      }
      if (plan.breaks === 'CANCELLED') {
        return { status: 'CANCELLED' as const, endedAt, error: 'cancelled by ops@example.com: wrong account filter' };
      }
      if (plan.breaks === 'ROLLED_BACK') {
        return {
          status: 'ROLLED_BACK' as const,
          endedAt,
          error: 'price list validation failed after write; changes undone in the web store',
        };
      }
      return { endedAt };
    },
  );
  return outcome.counts.total;
}

export async function backfillHistory(options: BackfillOptions): Promise<BackfillResult> {
  const began = performance.now();
  const now = options.now ?? Date.now();
  const random = options.random ?? Math.random;
  const plan = planHistory(now, options.days ?? 7, options.totalRecords ?? 220_000, random);
  const quiet: WorkerLogger = { ...options.logger, info: options.logger.debug };
  const workers = Object.fromEntries(
    DEMO_PIPELINES.map((p) => [
      p.key,
      createWorker({
        url: options.url,
        apiKey: options.ingestKey,
        pipelineId: options.pipelineIds[p.key],
        workerId: `demo-backfill-${p.key}`,
        batchSize: 2_000,
        flushIntervalMs: 60_000,
        logger: quiet,
      }),
    ]),
  ) as Record<DemoPipelineKey, Worker>;

  const total = plan.reduce((sum, r) => sum + r.records, 0);
  options.logger.info('demo backfill started', { runs: plan.length, plannedRecords: total, days: options.days ?? 7 });
  let next = 0;
  let records = 0;
  let nextReport = 0.25;
  const lane = async () => {
    while (next < plan.length && !options.signal?.aborted) {
      const run = plan[next++];
      const sent = await sendRun(workers[run.pipeline.key], run, now);
      records += sent; // not `records += await …`: that reads records before the wait and loses the other lanes' counts
      if (next / plan.length >= nextReport) {
        options.logger.info('demo backfill progress', { runs: next, of: plan.length, records });
        nextReport += 0.25;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 6 }, lane));
  await Promise.all(Object.values(workers).map((w) => w.stop()));
  const seconds = Math.round((performance.now() - began) / 100) / 10;
  return { runs: plan.length, records, seconds };
}
