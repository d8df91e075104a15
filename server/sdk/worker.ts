// createWorker: claims QUEUED runs (woken by workerCommands, polling as the fallback), runs self-started ones, and stops gracefully.
import { ClaimRunDocument, StartRunDocument } from './generated/graphql.js';
import { createHttpClient } from './http.js';
import { RunSession, type SessionSettings } from './run-session.js';
import type { RunHandler, RunOutcome, Worker, WorkerLogger, WorkerOptions, WorkerRun } from './types.js';
import { type CommandListener, listenForCommands } from './worker-commands.js';

const MAX_BATCH = 5_000;

/** Without a logger, only problems are written (to stderr). */
const quietLogger: WorkerLogger = {
  debug: () => {},
  info: () => {},
  warn: (msg, fields) => console.warn(`syncwatch worker: ${msg}`, fields ?? ''),
  error: (msg, fields) => console.error(`syncwatch worker: ${msg}`, fields ?? ''),
};

function positive(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${value}`);
  return value;
}

export function createWorker(options: WorkerOptions): Worker {
  const { pipelineId, workerId } = options;
  const logger = options.logger ?? quietLogger;
  const settings: SessionSettings = {
    http: createHttpClient(options.url, options.apiKey),
    logger,
    batchSize: positive('batchSize', options.batchSize ?? 500, MAX_BATCH),
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs ?? 1_000),
    heartbeatIntervalMs: positive('heartbeatIntervalMs', options.heartbeatIntervalMs ?? 10_000),
  };
  const pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 5_000);
  const concurrency = positive('concurrency', options.concurrency ?? 1);
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const handlers = options.handlers ?? {};

  const sessions = new Map<string, RunSession>();
  const executions = new Set<Promise<unknown>>();
  let claimedActive = 0;
  let started = false;
  let stopping: Promise<void> | null = null;
  let pollTimer: ReturnType<typeof setInterval> | null = null;
  let listener: CommandListener | null = null;
  let claiming: Promise<void> | null = null;
  let claimAgain = false;

  const noHandler: RunHandler = async ({ run }) => ({ status: 'FAILED', error: `worker ${workerId} has no handler for ${run.mode} runs` });

  function execute(run: WorkerRun, handler: RunHandler, claimed: boolean): Promise<RunOutcome> {
    const session = new RunSession(run, settings);
    sessions.set(run.id, session);
    if (claimed) claimedActive++;
    logger.info('run started', { runId: run.id, mode: run.mode, operationType: run.operationType, claimed });
    const execution = session.execute(handler).finally(() => {
      sessions.delete(run.id);
      executions.delete(execution);
      if (claimed) {
        claimedActive--;
        claimNow(); // a slot is free: more may be waiting
      }
    });
    executions.add(execution);
    return execution;
  }

  /** Claims QUEUED runs until none is left or every slot is busy; calls during a claim loop make it go round once more. */
  function claimNow(): void {
    if (!started || stopping) return;
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = (async () => {
      do {
        claimAgain = false;
        while (!stopping && claimedActive < concurrency) {
          let run: WorkerRun | null;
          try {
            run = (await settings.http.request(ClaimRunDocument, { pipelineId, workerId })).claimRun;
          } catch (error) {
            logger.warn('claimRun failed', { pipelineId, error: (error as Error).message });
            return;
          }
          if (!run) break;
          const handler = handlers[run.mode] ?? handlers.default ?? noHandler;
          execute(run, handler, true).catch(() => {}); // logged by the session
        }
      } while (claimAgain && !stopping && claimedActive < concurrency);
    })().finally(() => {
      claiming = null;
    });
  }

  return {
    start() {
      if (started) return;
      started = true;
      if (options.subscribe !== false) {
        listener = listenForCommands({
          url: options.url,
          apiKey: options.apiKey,
          pipelineId,
          logger,
          onConnected: claimNow,
          onCommand: (command) => {
            logger.debug('worker command', { ...command });
            if (command.type === 'RUN_QUEUED') claimNow();
            else if (command.type === 'CANCEL_RUN') sessions.get(command.runId)?.abort('cancelled');
          },
        });
      }
      pollTimer = setInterval(claimNow, pollIntervalMs);
      claimNow();
    },

    stop() {
      stopping ??= (async () => {
        if (pollTimer) clearInterval(pollTimer);
        await claiming;
        const settled = Promise.allSettled([...executions]);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = await Promise.race([
          settled.then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), stopTimeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          for (const session of sessions.values()) session.abort('stopping');
          await Promise.allSettled([...executions]);
        }
        await listener?.close();
      })();
      return stopping;
    },

    async startRun(runOptions, handler) {
      if (stopping) throw new Error('worker is stopping; it starts no new runs');
      const { startRun } = await settings.http.request(StartRunDocument, { input: { ...runOptions, pipelineId } });
      return execute(startRun, handler, false);
    },

    claimNow,

    activeRunIds: () => [...sessions.keys()],
  };
}
