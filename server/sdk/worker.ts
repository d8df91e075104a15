// createWorker: claims QUEUED runs (woken by workerCommands, polling as the fallback), runs self-started ones, and stops gracefully.
import { ClaimRunDocument, StartRunDocument, type SyncMode, WorkerSetupDocument } from './generated/graphql.js';
import { createHttpClient, SyncwatchError } from './graphql-client.js';
import { RunSession, type SessionSettings } from './run-session.js';
import type { RunHandler, RunHandlers, RunOutcome, Worker, WorkerLogger, WorkerOptions, WorkerRun } from './types.js';
import { type CommandListener, listenForCommands } from './worker-commands.js';

const MAX_BATCH = 5_000;

/** Every mode a handler may be keyed by (a Record, so the compiler keeps it in step with the schema). */
const SYNC_MODES: Record<SyncMode, true> = { REAL_TIME: true, MANUAL: true, SCHEDULED: true, ON_DEMAND: true, RETRY: true, CLEANUP: true };

/** Without a logger, only problems are written (to stderr). */
const quietLogger: WorkerLogger = {
  debug: () => {},
  info: () => {},
  warn: (msg, fields) => console.warn(`syncwatch worker: ${msg}`, fields ?? ''),
  error: (msg, fields) => console.error(`syncwatch worker: ${msg}`, fields ?? ''),
};

function integer(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

function httpUrl(url: string): string {
  const protocol = URL.canParse(url) ? new URL(url).protocol : null;
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new TypeError(`url must be the http(s) URL of the GraphQL endpoint, got ${JSON.stringify(url)}`);
  return url;
}

function text(name: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

/** The modes to claim: those with a handler; null (any mode) when there is a default handler; none without handlers. */
function modesToClaim(handlers: RunHandlers): SyncMode[] | null {
  if (handlers.default) return null;
  const modes = Object.keys(handlers).filter((key) => handlers[key as keyof RunHandlers]);
  const unknown = modes.filter((mode) => !(mode in SYNC_MODES));
  if (unknown.length > 0)
    throw new RangeError(`handlers: no mode ${unknown.join(', ')}; use ${Object.keys(SYNC_MODES).join(', ')} or default`);
  return modes as SyncMode[];
}

export function createWorker(options: WorkerOptions): Worker {
  const url = httpUrl(options.url);
  const apiKey = text('apiKey', options.apiKey);
  const pipelineId = text('pipelineId', options.pipelineId);
  const workerId = text('workerId', options.workerId);
  const logger = options.logger ?? quietLogger;
  const settings: SessionSettings = {
    http: createHttpClient(url, apiKey),
    logger,
    batchSize: integer('batchSize', options.batchSize ?? 500, 1, MAX_BATCH),
    flushIntervalMs: integer('flushIntervalMs', options.flushIntervalMs ?? 1_000, 1),
    heartbeatIntervalMs: integer('heartbeatIntervalMs', options.heartbeatIntervalMs ?? 10_000, 1),
  };
  const pollIntervalMs = integer('pollIntervalMs', options.pollIntervalMs ?? 5_000, 1);
  const concurrency = integer('concurrency', options.concurrency ?? 1, 1);
  const stopTimeoutMs = integer('stopTimeoutMs', options.stopTimeoutMs ?? 10_000, 0);
  const handlers = options.handlers ?? {};
  const modes = modesToClaim(handlers);
  const claims = modes === null || modes.length > 0;

  const sessions = new Map<string, RunSession>();
  const executions = new Set<Promise<unknown>>();
  let claimedActive = 0;
  let starting: Promise<void> | null = null;
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
    if (!started || stopping || !claims) return;
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
            run = (await settings.http.request(ClaimRunDocument, { pipelineId, workerId, modes })).claimRun;
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

  /** A misconfigured worker fails at start rather than warning at every poll: the key must ingest and see the pipeline. */
  async function checkSetup(): Promise<void> {
    const { me, pipeline } = await settings.http.request(WorkerSetupDocument, { pipelineId });
    if (me.role !== 'INGEST' && me.role !== 'ADMIN')
      throw new SyncwatchError(`the API key's role is ${me.role}; a worker needs an INGEST key`, 'FORBIDDEN', false);
    if (!pipeline) throw new SyncwatchError(`pipeline ${pipelineId} does not exist or this key cannot see it`, 'NOT_FOUND', false);
  }

  async function begin(): Promise<void> {
    await checkSetup();
    if (stopping) return;
    started = true;
    if (options.subscribe !== false) {
      listener = listenForCommands({
        url,
        apiKey,
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
    if (claims) pollTimer = setInterval(claimNow, pollIntervalMs);
    claimNow();
  }

  /** Whether every run being handled ends within `ms`. */
  async function settledWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settled = await Promise.race([
      Promise.allSettled([...executions]).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return settled;
  }

  return {
    start() {
      if (stopping) throw new Error('worker was stopped; create a new one to start again');
      if (!starting) {
        starting = begin().catch((error) => {
          starting = null; // start() may be tried again
          logger.error('worker not started', { pipelineId, code: (error as SyncwatchError).code, error: (error as Error).message });
          throw error;
        });
        starting.catch(() => {}); // logged above: a caller that does not await start() must not crash the process
      }
      return starting;
    },

    stop() {
      stopping ??= (async () => {
        if (pollTimer) clearInterval(pollTimer);
        await claiming;
        if (!(await settledWithin(stopTimeoutMs))) {
          for (const session of sessions.values()) session.abort('stopping');
          // A handler that ignores its signal is not waited for without end: its run is left to the server's lease.
          if (!(await settledWithin(stopTimeoutMs))) {
            for (const session of sessions.values()) {
              logger.warn("run handler ignored the stop; the server's lease will end its run", { runId: session.run.id });
              session.abandon();
            }
          }
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
