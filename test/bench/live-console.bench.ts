/// <reference lib="dom" />
// The live console at fleet rates: a real Chromium keeps a page open while a generator reports through the API as
// a fleet of pipelines does: 200 run events a second over 500 concurrent runs for a minute, then 20 a second for ten
// minutes. First the history, then the detail of a busy run (20 batches a second), then the overview. Prints, for
// each page, the renderer's CPU per wall second, the longest task and the sum of long tasks, the slowest trivial
// evaluate (how long the page could not answer), reported → shown p95 (and the API's and the server's share of it),
// DOM rows and JS heap at the start, after the burst and at the end.
//
// BENCH_LIVE_BURST_S and BENCH_LIVE_STEADY_S shorten the phases (60 and 600 by default).
import type { Browser, CDPSession, Page } from 'playwright-core';
import { browserSkipReason, launchBrowser } from '../e2e/support/browser.js';
import { ensureClientBuilt } from '../e2e/support/client-build.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { LiveClient } from '../support/ws-client.js';
import {
  ADMIN_SECRET,
  count,
  heading,
  percentile,
  printTable,
  runWhenStartedDirectly,
  type SummaryRow,
  startFreshInstance,
} from './support.js';

const BURST_S = Number(process.env.BENCH_LIVE_BURST_S ?? 60);
const STEADY_S = Number(process.env.BENCH_LIVE_STEADY_S ?? 600);
const BURST_RATE = 200;
const STEADY_RATE = 20;
const CONCURRENT_RUNS = 500;
const PIPELINES = 50;
/** Batches a run reports before it finishes: with its start and its end, about ten run events a run. */
const BATCHES_PER_RUN = 8;
const IN_FLIGHT = 48;
const BUSY_BATCHES_PER_S = 20;
const BUSY_BATCH_SIZE = 10;

const TARGETS = { cpu: 0.25, longestTaskMs: 200, appearP95Ms: 1_000, heapGrowthMb: 30 };

const START_RUN = 'mutation($input: StartRunInput!) { startRun(input: $input) { id } }';
const REPORT = 'mutation($runId: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $runId, records: $records) { accepted } }';
const FINISH = 'mutation($id: ID!) { finishRun(runId: $id) { id } }';

interface FleetRun {
  id: string;
  key: GraphQLClient;
  batches: number;
  busy: boolean;
}

/** Reports run events at a set rate: starts runs up to CONCURRENT_RUNS, reports their batches, finishes them. */
class Fleet {
  rate = 0;
  sent = 0;
  failed = 0;
  /** When each run was asked to start, by id (the history's event-to-row). */
  readonly started = new Map<string, number>();
  /** How long each startRun took to answer (the server's share of event-to-row). */
  readonly startLatencies: number[] = [];
  private readonly runs: FleetRun[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private phaseStart = 0;
  private phaseSent = 0;
  private sourceSeq = 0;

  constructor(
    private readonly keys: GraphQLClient[],
    private readonly pipelineIds: string[],
  ) {}

  setRate(rate: number): void {
    this.rate = rate;
    this.phaseStart = performance.now();
    this.phaseSent = 0;
    this.timer ??= setInterval(() => this.tick(), 10);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.phaseStart) / 1000) * this.rate) - this.phaseSent;
    for (let i = 0; i < due && this.inFlight < IN_FLIGHT; i++) {
      this.phaseSent++;
      this.inFlight++;
      this.next()
        .catch(() => {
          this.failed++;
        })
        .finally(() => {
          this.inFlight--;
          this.sent++;
        });
    }
  }

  private async next(): Promise<void> {
    if (this.runs.length < CONCURRENT_RUNS) {
      const key = this.keys[this.sent % this.keys.length];
      const asked = Date.now();
      const pipelineId = this.pipelineIds[this.sent % this.pipelineIds.length];
      const { startRun } = await key.ok<{ startRun: { id: string } }>(START_RUN, {
        input: { pipelineId, mode: 'SCHEDULED', operationType: 'Fleet sync' },
      });
      this.started.set(startRun.id, asked);
      this.startLatencies.push(Date.now() - asked);
      this.runs.push({ id: startRun.id, key, batches: 0, busy: false });
      return;
    }
    const at = Math.floor(Math.random() * this.runs.length);
    const run = this.runs[at];
    if (run.busy) return;
    run.busy = true;
    try {
      if (run.batches >= BATCHES_PER_RUN) {
        this.runs.splice(this.runs.indexOf(run), 1);
        await run.key.ok(FINISH, { id: run.id });
        return;
      }
      run.batches++;
      const size = 1 + Math.floor(Math.random() * 5);
      // One in twenty fails, not retryable: no retry runs of the server's own join the fleet's rate.
      const records = Array.from({ length: size }, () => ({
        entityType: 'Account',
        sourceId: `fleet-${++this.sourceSeq}`,
        operation: 'UPDATE',
        ...(Math.random() < 0.05
          ? { status: 'FAILED', retryable: false, errorCode: 'INVALID_ACCOUNT', errorMessage: 'account is closed' }
          : { status: 'SUCCESS' }),
      }));
      await run.key.ok(REPORT, { runId: run.id, records });
    } finally {
      run.busy = false;
    }
  }
}

/** One run reporting BUSY_BATCHES_PER_S batches a second until stopped; when each batch's first record was sent. */
function busyRun(key: GraphQLClient, runId: string) {
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let seq = 0;
  let stopped = false;
  const loop = (async () => {
    const started = performance.now();
    let batches = 0;
    while (!stopped) {
      const due = started + (batches * 1000) / BUSY_BATCHES_PER_S;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      batches++;
      const records = Array.from({ length: BUSY_BATCH_SIZE }, () => ({
        entityType: 'Contact',
        sourceId: `busy-${++seq}`,
        operation: 'CREATE',
        status: 'SUCCESS',
      }));
      const asked = Date.now();
      sent.set(records[0].sourceId, asked);
      await key.ok(REPORT, { runId, records }).then(
        () => latencies.push(Date.now() - asked),
        () => {},
      );
    }
  })();
  return {
    sent,
    latencies,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Installed before the page's own scripts: long tasks, and when each row (run or record) first showed. */
const PAGE_PROBE = `
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
  window.__seen = new Map();
  const note = (el) => {
    const id = el.getAttribute('data-run-id') || el.getAttribute('data-source-id');
    if (id && !window.__seen.has(id)) window.__seen.set(id, Date.now());
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) for (const n of m.addedNodes) {
      if (n.nodeType !== 1) continue;
      if (n.matches('tr')) note(n);
      for (const tr of n.querySelectorAll('tr[data-run-id], tr[data-source-id]')) note(tr);
    }
  }).observe(document, { childList: true, subtree: true });
`;

interface PageSample {
  rows: number;
  heapMb: number;
}

async function sample(page: Page, cdp: CDPSession, rowSelector: string): Promise<PageSample> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const rows = await page.evaluate((selector) => document.querySelectorAll(selector).length, rowSelector);
  return { rows, heapMb: usedSize / 1024 / 1024 };
}

async function rendererCpuSeconds(browser: Browser): Promise<number> {
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
    return processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime, 0);
  } finally {
    await session.detach();
  }
}

interface PageResult {
  page: string;
  wallS: number;
  cpuPerS: number;
  longestTaskMs: number;
  longTasksMs: number;
  slowestEvaluateMs: number;
  appearP95Ms: number;
  /** Of that, the API's answer to the report (the server's share). */
  apiP95Ms: number;
  appeared: number;
  /** Reported → received by a plain graphql-ws subscriber in the bench (the server's whole share). */
  deliveredP95Ms: number;
  start: PageSample;
  end: PageSample;
  steadyStart: PageSample;
  eventsPerS: number;
}

interface PageSpec {
  name: string;
  path: string;
  /** The rows whose count is sampled and whose first showing is timed (data-run-id or data-source-id). */
  rowSelector: string;
  fleet: Fleet;
  /** When each timed row's event was reported, by run id or source id. */
  reported(): Map<string, number>;
  /** How long the reports took to answer. */
  apiLatencies(): number[];
  /** When a plain subscriber in the bench received each timed row. */
  delivered: Map<string, number>;
}

/** First arrival, by id, of what a plain graphql-ws subscriber receives: the server's share of reported → shown. */
function watchDeliveries<T>(url: string, query: string, variables: Record<string, unknown>, idOf: (value: T) => string) {
  const live = new LiveClient(`${url}/graphql`, ADMIN_SECRET);
  const arrived = new Map<string, number>();
  live.client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        const value = result.data && Object.values(result.data)[0];
        if (!value) return;
        const id = idOf(value);
        if (!arrived.has(id)) arrived.set(id, Date.now());
      },
      error: () => {},
      complete: () => {},
    },
  );
  return { arrived, dispose: () => live.dispose() };
}

/** Opens the page in a fresh context, runs the two phases of the fleet, and measures the page all along. */
async function measurePage(browser: Browser, url: string, spec: PageSpec): Promise<PageResult> {
  const { name, path, rowSelector, fleet, reported, apiLatencies, delivered } = spec;
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(PAGE_PROBE);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  // The fleet is already reporting when the page opens, as it is in the morning.
  fleet.setRate(STEADY_RATE);
  await page.goto(`${url}/#key=${ADMIN_SECRET}`);
  await page.locator('.live-indicator[data-state="live"]').waitFor({ timeout: 60_000 });
  if (path !== '/runs') {
    await page.goto(`${url}${path}`);
    await page.locator('.live-indicator[data-state="live"]').waitFor({ timeout: 60_000 });
  }
  await page.locator(rowSelector).first().waitFor({ timeout: 60_000 });
  await page.evaluate(() => {
    (window as unknown as { __longTasks: number[] }).__longTasks.length = 0;
  });
  const start = await sample(page, cdp, rowSelector);
  const cpuBefore = await rendererCpuSeconds(browser);
  const sentBefore = fleet.sent;
  const began = performance.now();
  // Only what is reported from now on is timed: earlier rows came with the first page, not live.
  const beganAt = Date.now();

  let slowestEvaluateMs = 0;
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const t = performance.now();
      await page.evaluate(() => 1);
      slowestEvaluateMs = Math.max(slowestEvaluateMs, performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();

  fleet.setRate(BURST_RATE);
  await new Promise((resolve) => setTimeout(resolve, BURST_S * 1000));
  const burstSent = fleet.sent - sentBefore;
  fleet.setRate(STEADY_RATE);
  const steadyStart = await sample(page, cdp, rowSelector);
  await new Promise((resolve) => setTimeout(resolve, STEADY_S * 1000));
  probing = false;
  await probe;

  const wallS = (performance.now() - began) / 1000;
  const cpuPerS = ((await rendererCpuSeconds(browser)) - cpuBefore) / wallS;
  const end = await sample(page, cdp, rowSelector);
  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.slice());
  const seen = new Map(await page.evaluate(() => [...(window as unknown as { __seen: Map<string, number> }).__seen.entries()]));
  await context.close();

  const delays: number[] = [];
  const timed = [...reported()].filter(([, sentAt]) => sentAt >= beganAt);
  for (const [id, sentAt] of timed) {
    const shownAt = seen.get(id);
    if (shownAt !== undefined && shownAt >= sentAt) delays.push(shownAt - sentAt);
  }
  delays.sort((a, b) => a - b);
  const deliveries: number[] = [];
  for (const [id, sentAt] of timed) {
    const at = delivered.get(id);
    if (at !== undefined) deliveries.push(at - sentAt);
  }
  deliveries.sort((a, b) => a - b);
  return {
    page: name,
    wallS,
    cpuPerS,
    longestTaskMs: Math.max(0, ...longTasks),
    longTasksMs: longTasks.reduce((sum, d) => sum + d, 0),
    slowestEvaluateMs,
    appearP95Ms: delays.length ? percentile(delays, 95) : Number.NaN,
    apiP95Ms: apiLatencies().length
      ? percentile(
          apiLatencies()
            .slice()
            .sort((a, b) => a - b),
          95,
        )
      : Number.NaN,
    appeared: delays.length,
    deliveredP95Ms: deliveries.length ? percentile(deliveries, 95) : Number.NaN,
    start,
    steadyStart,
    end,
    eventsPerS: burstSent / BURST_S,
  };
}

export async function runLiveConsoleBench(): Promise<SummaryRow[]> {
  heading(`Live console at fleet rates (headless Chromium; ${BURST_S} s at ${BURST_RATE}/s, then ${STEADY_S} s at ${STEADY_RATE}/s)`);
  const skip = browserSkipReason();
  if (skip) {
    console.log(skip);
    return [];
  }
  ensureClientBuilt();
  // A fleet's rate from one address: the per-key and per-address limits raised; leases long enough for a slow run.
  const { url, stop } = await startFreshInstance('live-console', {
    RATE_LIMIT_PER_KEY: '1000000',
    RATE_LIMIT_PER_ADDRESS: '1000000',
    LEASE_SECONDS: '3600',
  });
  const browser = await launchBrowser();
  try {
    const admin = new GraphQLClient(`${url}/graphql`, ADMIN_SECRET);
    const pipelineIds: string[] = [];
    for (let i = 0; i < PIPELINES; i++) {
      const { createPipeline } = await admin.ok<{ createPipeline: { id: string } }>(
        'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
        {
          input: {
            name: `Fleet ${String(i).padStart(2, '0')} → CRM`,
            sourceSystem: 'Billing',
            targetSystem: 'CRM',
            tenantId: `tenant-${i % 5}`,
          },
        },
      );
      pipelineIds.push(createPipeline.id);
    }
    const keys: GraphQLClient[] = [];
    for (let i = 0; i < 4; i++) {
      const { createApiKey } = await admin.ok<{ createApiKey: { secret: string } }>(
        'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }',
        { input: { name: `fleet ${i}`, role: 'INGEST' } },
      );
      keys.push(new GraphQLClient(`${url}/graphql`, createApiKey.secret));
    }

    const results: PageResult[] = [];
    {
      const fleet = new Fleet(keys, pipelineIds);
      const deliveries = watchDeliveries<{ run: { id: string } }>(
        url,
        'subscription { runUpdated { cursor previousStatus run { id tenantId status mode operationType entityTypes triggeredBy correlationId startedAt endedAt durationMs expectedTotal error pipeline { id name } counts { total created updated deleted skipped succeeded failed pending } } } }',
        {},
        (v) => v.run.id,
      );
      try {
        results.push(
          await measurePage(browser, url, {
            name: 'history',
            path: '/runs',
            rowSelector: 'tr.run-row',
            fleet,
            reported: () => fleet.started,
            apiLatencies: () => fleet.startLatencies,
            delivered: deliveries.arrived,
          }),
        );
      } finally {
        fleet.stop();
        await deliveries.dispose();
      }
    }
    {
      const fleet = new Fleet(keys, pipelineIds);
      const { startRun } = await keys[0].ok<{ startRun: { id: string } }>(START_RUN, {
        input: { pipelineId: pipelineIds[0], mode: 'MANUAL', operationType: 'Busy sync' },
      });
      const busy = busyRun(keys[0], startRun.id);
      const deliveries = watchDeliveries<{ records: { sourceId: string }[] }>(
        url,
        'subscription($runId: ID) { recordsUpdated(runId: $runId) { records { sourceId } } }',
        { runId: startRun.id },
        (v) => v.records[0].sourceId,
      );
      try {
        results.push(
          await measurePage(browser, url, {
            name: 'busy run detail',
            path: `/runs/${startRun.id}`,
            rowSelector: 'tr[data-record-id]',
            fleet,
            reported: () => busy.sent,
            apiLatencies: () => busy.latencies,
            delivered: deliveries.arrived,
          }),
        );
      } finally {
        fleet.stop();
        await busy.stop();
        await deliveries.dispose();
      }
    }

    {
      // The overview reads its cards and chart again (throttled) as runs end, and shows its window's records: new
      // ones fall past the window it opened with, so only its smoothness is measured here.
      const fleet = new Fleet(keys, pipelineIds);
      try {
        results.push(
          await measurePage(browser, url, {
            name: 'overview',
            path: '/overview',
            rowSelector: 'tr.record-row',
            fleet,
            reported: () => new Map(),
            apiLatencies: () => fleet.startLatencies,
            delivered: new Map(),
          }),
        );
      } finally {
        fleet.stop();
      }
    }

    const mb = (value: number) => `${value.toFixed(1)} MB`;
    const msText = (value: number) => (Number.isNaN(value) ? '—' : `${Math.round(value)} ms`);
    printTable(
      [
        'page',
        'run events/s (burst)',
        'renderer CPU/s',
        'longest task',
        'long tasks',
        'slowest evaluate',
        'shown p95 (n)',
        'API answer p95',
        'delivered p95',
        'DOM rows start → end',
        'heap start → steady → end',
      ],
      results.map((r) => [
        r.page,
        r.eventsPerS.toFixed(0),
        r.cpuPerS.toFixed(3),
        msText(r.longestTaskMs),
        msText(r.longTasksMs),
        msText(r.slowestEvaluateMs),
        `${msText(r.appearP95Ms)} (${count(r.appeared)})`,
        msText(r.apiP95Ms),
        msText(r.deliveredP95Ms),
        `${r.start.rows} → ${r.end.rows}`,
        `${mb(r.start.heapMb)} → ${mb(r.steadyStart.heapMb)} → ${mb(r.end.heapMb)}`,
      ]),
    );
    return results.flatMap((r) => [
      {
        measure: `live console, ${r.page}: renderer CPU per second`,
        value: r.cpuPerS.toFixed(3),
        target: `≤ ${TARGETS.cpu}`,
        met: r.cpuPerS <= TARGETS.cpu,
      },
      {
        measure: `live console, ${r.page}: longest task`,
        value: msText(r.longestTaskMs),
        target: `≤ ${TARGETS.longestTaskMs} ms`,
        met: r.longestTaskMs <= TARGETS.longestTaskMs,
      },
      ...(Number.isNaN(r.appearP95Ms)
        ? []
        : [
            {
              measure: `live console, ${r.page}: reported → shown (p95)`,
              value: msText(r.appearP95Ms),
              target: `≤ ${TARGETS.appearP95Ms} ms`,
              met: r.appearP95Ms <= TARGETS.appearP95Ms,
            },
          ]),
      {
        measure: `live console, ${r.page}: heap growth over the steady phase`,
        value: mb(r.end.heapMb - r.steadyStart.heapMb),
        target: `≤ ${TARGETS.heapGrowthMb} MB`,
        met: r.end.heapMb - r.steadyStart.heapMb <= TARGETS.heapGrowthMb,
      },
    ]);
  } finally {
    await browser.close();
    await stop();
  }
}

// Run on its own: NODE_ENV=production node --import tsx/esm test/bench/live-console.bench.ts
runWhenStartedDirectly(import.meta.url, runLiveConsoleBench);
