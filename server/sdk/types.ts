// The SDK's public types: what a worker is configured with and what its handlers see.
import type {
  FinishRunInput,
  RecordOperation,
  RecordReportInput,
  RunStatus,
  StartRunInput,
  SyncMode,
  WorkerRunFragment,
} from './generated/graphql.js';

export type { FinishRunInput, RecordOperation, RecordReportInput, RecordStatus, RunStatus, SyncMode } from './generated/graphql.js';

/** Where the JSON-lines logger of the server, or any logger of that shape, plugs in. */
export interface WorkerLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A run as the worker sees it. */
export type WorkerRun = WorkerRunFragment;

/** One record a RETRY run asks to re-attempt (status PENDING in the retry run). */
export interface RetryRecord {
  entityType: string;
  sourceId: string;
  targetId: string | null;
  operation: RecordOperation;
  /** Number of this attempt (the first try was 1). */
  attempts: number;
  /** The details the failed attempt was reported with. */
  details: unknown;
}

/** Why a run's AbortSignal fired: an operator cancelled it, the worker is stopping, or the server no longer accepts its work. */
export type AbortReason = 'cancelled' | 'stopping' | 'lost';

/** What a handler gets for one run. */
export interface RunContext {
  run: WorkerRun;
  /**
   * Fires when the run is cancelled, the worker stops past its timeout, or the run is lost;
   * `signal.reason` is a RunAbortedError whose `reason` says which.
   */
  signal: AbortSignal;
  /** The same reason, read when asked (null until the signal fires): do not destructure it from the context. */
  readonly abortReason: AbortReason | null;
  /** Buffers a record; flushed by size and by time. Awaiting it applies back-pressure when the buffer is full. */
  report(record: RecordReportInput): Promise<void>;
  /** Sends what is buffered now. */
  flush(): Promise<void>;
  /** The records to re-attempt (RETRY runs): those still PENDING in this run, page by page. */
  records(options?: { pageSize?: number }): AsyncIterable<RetryRecord>;
}

/**
 * A handler may return how to finish the run; nothing (or no status) lets the server derive the status, even after
 * the signal fired (a handler cut short by a stop should throw, e.g. `signal.throwIfAborted()`). A throw finishes it FAILED.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing is the common case
export type RunHandler = (context: RunContext) => Promise<FinishRunInput | undefined | void>;

/** Handlers of claimed (QUEUED) runs, by mode; `default` takes any mode without its own. Only runs of these modes are claimed. */
export type RunHandlers = Partial<Record<SyncMode | 'default', RunHandler>>;

/** How a run ended: as finishRun answered, or as the server ended it (a lapsed lease) when it refused the finish. */
export interface RunOutcome {
  id: string;
  status: RunStatus;
  error: string | null;
  counts: { total: number; succeeded: number; failed: number; skipped: number; pending: number };
  /** Records the server refused (by reason); they are not in the counts. */
  rejected: number;
}

export interface WorkerOptions {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql (the WebSocket uses the same path). */
  url: string;
  /** An INGEST key. */
  apiKey: string;
  pipelineId: string;
  /** This worker's name, kept on the runs it claims. */
  workerId: string;
  /** Handlers of the QUEUED runs this worker claims (manual triggers, retries); without any, it claims nothing. */
  handlers?: RunHandlers;
  /** Records per reportRecords call, 1 to 5,000 (default 500). */
  batchSize?: number;
  /** Longest a reported record waits in the buffer (default 1,000 ms). */
  flushIntervalMs?: number;
  /** Heartbeat period of an active run (default 10,000 ms); keep it well under the server's lease. */
  heartbeatIntervalMs?: number;
  /** How often to look for QUEUED runs besides workerCommands wake-ups (default 5,000 ms). */
  pollIntervalMs?: number;
  /** Claimed runs handled at once (default 1). Runs started with startRun() do not count. */
  concurrency?: number;
  /** How long stop() lets active handlers finish before aborting them, then waits for them again (default 10,000 ms). */
  stopTimeoutMs?: number;
  /** Listen to workerCommands over graphql-ws (default true); polling and heartbeats work without it. */
  subscribe?: boolean;
  logger?: WorkerLogger;
}

/** A run the worker starts itself (real-time and scheduled syncs, backfills). */
export type StartRunOptions = Omit<StartRunInput, 'pipelineId'>;

export interface Worker {
  /**
   * Checks the key and the pipeline, then listens for commands and claims QUEUED runs. Rejects with a SyncwatchError
   * (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, NETWORK) when the worker cannot work; throws after stop().
   */
  start(): Promise<void>;
  /**
   * No new claims; lets active handlers finish, flushes and finishes their runs. After stopTimeoutMs it aborts them
   * (reason `stopping`); a handler still running stopTimeoutMs later is left behind, its run to the server's lease.
   */
  stop(): Promise<void>;
  /**
   * Starts a RUNNING run, runs the handler in it, and finishes it; resolves with how it ended (also when the server ended
   * it first). Rejects with a RunAbortedError (`stopping`) when stop() gave up on the handler.
   */
  startRun(options: StartRunOptions, handler: RunHandler): Promise<RunOutcome>;
  /** Looks for QUEUED runs now (the worker also does so on workerCommands and every pollIntervalMs). */
  claimNow(): void;
  /** Ids of the runs being handled now. */
  activeRunIds(): string[];
}
