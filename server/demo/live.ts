// Live sync after the backfill: real-time billing pushes every few seconds, scheduled runs every ~30 s,
// and whatever operators queue (manual syncs, retries), with cancels honoured.
import { createWorker, type RunContext, type RunHandler, type Worker, type WorkerLogger } from '../sdk/index.js';
import { DEMO_PIPELINES, type DemoPipeline, type DemoPipelineKey, demoPipeline } from './catalog.js';
import { pickEntity, type Random, reattempt, runTrouble, simulateRecord } from './simulator.js';

export interface LiveOptions {
  url: string;
  ingestKey: string;
  pipelineIds: Record<DemoPipelineKey, string>;
  logger: WorkerLogger;
  random?: Random;
}

export interface LiveSync {
  stop(): Promise<void>;
}

/** Waits, unless the signal fires first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Moves `count` records, `parallelism` at a time, taking as long as the simulated writes do; stops at a cancel. */
async function sync(pipeline: DemoPipeline, context: RunContext, count: number, parallelism: number, random: Random): Promise<void> {
  const offset = Math.floor(random() * pipeline.population);
  const failureScale = runTrouble(random);
  for (let i = 0; i < count && !context.signal.aborted; i += parallelism) {
    const started = Date.now();
    const chunk = Array.from({ length: Math.min(parallelism, count - i) }, (_, j) =>
      simulateRecord(pipeline, {
        entity: pickEntity(pipeline, random),
        n: (offset + i + j) % pipeline.population,
        operationType: context.run.operationType,
        startedAt: started,
        random,
        failureScale,
      }),
    );
    await pause(Math.max(...chunk.map((c) => c.latencyMs)), context.signal);
    if (context.signal.aborted) break; // the chunk in flight did not land
    for (const { record } of chunk) await context.report(record);
  }
  failIfStopped(context);
}

/** A sync cut short by the worker stopping did not finish: throwing ends its run FAILED (a cancel ends CANCELLED). */
function failIfStopped(context: RunContext): void {
  if (context.abortReason === 'stopping') context.signal.throwIfAborted();
}

/** A RETRY run: re-attempts each record it hands back, ten at a time. */
function retryHandler(pipeline: DemoPipeline, logger: WorkerLogger, random: Random): RunHandler {
  return async (context) => {
    let attempted = 0;
    let chunk: Promise<void>[] = [];
    for await (const record of context.records()) {
      if (context.signal.aborted) break;
      const { record: result, latencyMs } = reattempt(pipeline, record, Date.now(), random);
      chunk.push(pause(latencyMs, context.signal).then(() => context.report(result)));
      attempted++;
      if (chunk.length === 10) {
        await Promise.all(chunk);
        chunk = [];
      }
    }
    await Promise.all(chunk);
    failIfStopped(context);
    logger.debug('demo retry run done', {
      pipeline: pipeline.input.name,
      runId: context.run.id,
      attempted,
      cancelled: context.signal.aborted,
    });
  };
}

/** Runs an operator queued (manual, on-demand, scheduled): a full sync of the pipeline. */
function queuedHandler(pipeline: DemoPipeline, logger: WorkerLogger, random: Random): RunHandler {
  const size = { billing: 900, marketing: 500, erp: 250 }[pipeline.key];
  return async (context) => {
    logger.info('demo queued run claimed', { pipeline: pipeline.input.name, runId: context.run.id, mode: context.run.mode });
    await sync(pipeline, context, size + Math.floor(random() * size), pipeline.key === 'erp' ? 4 : 8, random);
    if (context.signal.aborted) logger.info('demo run stopped', { runId: context.run.id, reason: context.abortReason });
  };
}

/** A RETRY run of records re-attempts them; a re-run of a failed session (run.rerun set) syncs the whole again. */
function retryOrRerun(pipeline: DemoPipeline, logger: WorkerLogger, random: Random): RunHandler {
  const retry = retryHandler(pipeline, logger, random);
  const session = queuedHandler(pipeline, logger, random);
  return (context) => (context.run.rerun ? session(context) : retry(context));
}

interface Schedule {
  key: DemoPipelineKey;
  /** Milliseconds to the next run. */
  every: () => number;
  run: (worker: Worker, round: number) => Promise<unknown>;
}

export function startLiveSync(options: LiveOptions): LiveSync {
  const random = options.random ?? Math.random;
  const { logger } = options;
  const sdkLogger: WorkerLogger = { ...logger, info: logger.debug }; // a run every few seconds is not news
  const workers = Object.fromEntries(
    DEMO_PIPELINES.map((pipeline) => [
      pipeline.key,
      createWorker({
        url: options.url,
        apiKey: options.ingestKey,
        pipelineId: options.pipelineIds[pipeline.key],
        workerId: `demo-${pipeline.key}`,
        handlers: { RETRY: retryOrRerun(pipeline, logger, random), default: queuedHandler(pipeline, logger, random) },
        heartbeatIntervalMs: 5_000,
        stopTimeoutMs: 2_000,
        logger: sdkLogger,
      }),
    ]),
  ) as Record<DemoPipelineKey, Worker>;

  const billing = demoPipeline('billing');
  const marketing = demoPipeline('marketing');
  const erp = demoPipeline('erp');
  const scheduled = (pipeline: DemoPipeline, operationType: string, size: number, parallelism: number) => (worker: Worker) =>
    worker.startRun({ mode: 'SCHEDULED', operationType, triggeredBy: 'schedule' }, (context) =>
      sync(pipeline, context, Math.round(size * (0.5 + random())), parallelism, random),
    );
  const schedules: Schedule[] = [
    {
      key: 'billing',
      every: () => 3_000 + random() * 4_000,
      run: (worker) =>
        worker.startRun({ mode: 'REAL_TIME', operationType: 'Push changes', triggeredBy: 'billing webhook' }, (context) =>
          sync(billing, context, 1 + Math.floor(random() * 8), 4, random),
        ),
    },
    {
      key: 'marketing',
      every: () => 25_000 + random() * 10_000,
      run: (worker, round) => scheduled(marketing, round % 2 === 0 ? 'Pull updates' : 'Push updates', 220, 20)(worker),
    },
    {
      key: 'erp',
      every: () => 25_000 + random() * 10_000,
      run: (worker, round) => scheduled(erp, round % 4 === 3 ? 'Sync inventory' : 'Sync products', 90, 6)(worker),
    },
  ];

  const stopping = new AbortController();
  const loops = schedules.map(async (schedule) => {
    for (let round = 0; !stopping.signal.aborted; round++) {
      await pause(schedule.every(), stopping.signal);
      if (stopping.signal.aborted) break;
      try {
        const outcome = await schedule.run(workers[schedule.key], round);
        logger.debug('demo run done', { pipeline: schedule.key, ...(outcome as object) });
      } catch (error) {
        logger.warn('demo run failed to start or finish', { pipeline: schedule.key, error: (error as Error).message });
        await pause(10_000, stopping.signal); // the server may be restarting: do not hammer it
      }
    }
  });
  for (const worker of Object.values(workers)) worker.start();
  logger.info('demo live sync started', { pipelines: DEMO_PIPELINES.map((p) => p.input.name) });

  return {
    async stop() {
      stopping.abort();
      await Promise.all(Object.values(workers).map((w) => w.stop()));
      await Promise.all(loops);
    },
  };
}
