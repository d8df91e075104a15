// One run in a worker's hands: heartbeats, batched reports, the AbortSignal, the retry records, and the finish.
import { RecordBatcher } from './batcher.js';
import {
  type EndedRunFragment,
  FinishRunDocument,
  type FinishRunInput,
  HeartbeatDocument,
  type RecordReportInput,
  ReportRecordsDocument,
  RunEndDocument,
  RunRecordsDocument,
  type RunRecordsQuery,
} from './generated/graphql.js';
import { type GraphQLHttpClient, SyncwatchError } from './graphql-client.js';
import type { AbortReason, RetryRecord, RunContext, RunHandler, RunOutcome, WorkerLogger, WorkerRun } from './types.js';

export interface SessionSettings {
  http: GraphQLHttpClient;
  logger: WorkerLogger;
  batchSize: number;
  flushIntervalMs: number;
  heartbeatIntervalMs: number;
}

/** The error an aborted run's signal carries, so handlers can tell a cancel from a failure. */
export class RunAbortedError extends Error {
  constructor(
    readonly reason: AbortReason,
    detail?: string,
  ) {
    super(detail ? `run aborted: ${reason}: ${detail}` : `run aborted: ${reason}`);
    this.name = 'AbortError';
  }
}

const REPORT_RETRIES = 4;

const isConflict = (error: unknown) => error instanceof SyncwatchError && error.code === 'CONFLICT';

/** What a handler "returns" once the worker has given up on it (see abandon()). */
const ABANDONED = Symbol('abandoned');

export class RunSession {
  private readonly controller = new AbortController();
  private reason: AbortReason | null = null;
  private rejected = 0;
  private readonly batcher: RecordBatcher;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private giveUp: () => void = () => {};

  constructor(
    readonly run: WorkerRun,
    private readonly settings: SessionSettings,
  ) {
    this.batcher = new RecordBatcher((records) => this.send(records), settings.batchSize, settings.flushIntervalMs);
  }

  get abortReason(): AbortReason | null {
    return this.reason;
  }

  /** Fires the handler's signal once; the first reason wins. */
  abort(reason: AbortReason): void {
    if (this.controller.signal.aborted) return;
    this.reason = reason;
    this.settings.logger.info('run aborted', { runId: this.run.id, reason });
    if (reason === 'lost') clearInterval(this.heartbeatTimer); // the server refuses them now
    this.controller.abort(new RunAbortedError(reason));
  }

  /** The worker gives up on a handler that ignored its signal: no more heartbeats, so the server's lease ends the run. */
  abandon(): void {
    clearInterval(this.heartbeatTimer);
    this.giveUp();
  }

  /** Runs the handler, then flushes and finishes the run; never throws for the handler's errors. */
  async execute(handler: RunHandler): Promise<RunOutcome> {
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.settings.heartbeatIntervalMs);
    const abandoned = new Promise<typeof ABANDONED>((resolve) => {
      this.giveUp = () => resolve(ABANDONED);
    });
    let finish: FinishRunInput | undefined;
    try {
      // A handler that returns, even after its signal fired, says its work is done: its outcome stands.
      const result = await Promise.race([handler(this.context()), abandoned]);
      if (result === ABANDONED) throw ABANDONED;
      finish = result ?? undefined;
      await this.batcher.flush();
    } catch (error) {
      // Given up on: nothing more is sent for this run; the caller learns it was left to the server's lease.
      if (error === ABANDONED) throw new RunAbortedError('stopping', "the worker stopped; the server's lease ends this run");
      await this.batcher.flush().catch(() => {}); // what was reported before the error still happened
      const message = error instanceof Error ? error.message : String(error);
      if (this.reason !== 'cancelled') {
        this.settings.logger.warn('run handler failed', { runId: this.run.id, error: message });
        finish = { status: 'FAILED', error: this.reason === 'stopping' ? `worker stopped: ${message}` : message };
      }
    } finally {
      clearInterval(this.heartbeatTimer);
      this.batcher.discard();
    }
    // A cancelled run ends CANCELLED: the server derives it from CANCELLING when no status is given.
    if (this.reason === 'cancelled') finish = finish?.endedAt ? { endedAt: finish.endedAt } : undefined;
    return this.finish(finish);
  }

  private context(): RunContext {
    const session = this;
    return {
      run: this.run,
      signal: this.controller.signal,
      get abortReason() {
        return session.reason;
      },
      report: (record: RecordReportInput) => this.batcher.add(record),
      flush: () => this.batcher.flush(),
      records: (options) => this.pendingRecords(options?.pageSize ?? 500),
    };
  }

  private async send(records: RecordReportInput[]): Promise<void> {
    try {
      // reportRecords is keyed by entity type and source id, so sending a batch twice is harmless.
      const { reportRecords } = await this.settings.http.request(
        ReportRecordsDocument,
        { runId: this.run.id, records, leaseToken: this.run.leaseToken },
        { retries: REPORT_RETRIES },
      );
      if (reportRecords.rejected.length > 0) {
        this.rejected += reportRecords.rejected.length;
        this.settings.logger.warn('records rejected', {
          runId: this.run.id,
          rejected: reportRecords.rejected.slice(0, 5),
          count: reportRecords.rejected.length,
        });
      }
      if (reportRecords.run.status === 'CANCELLING') this.abort('cancelled');
    } catch (error) {
      if (isConflict(error)) this.abort('lost');
      throw error;
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      const { heartbeat } = await this.settings.http.request(HeartbeatDocument, {
        runId: this.run.id,
        leaseToken: this.run.leaseToken,
      });
      if (heartbeat.cancelRequested) this.abort('cancelled');
    } catch (error) {
      // A run the server no longer takes work for (finished, lease lapsed) is lost; anything else is retried next beat.
      if (error instanceof SyncwatchError && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND')) this.abort('lost');
      else this.settings.logger.warn('heartbeat failed', { runId: this.run.id, error: (error as Error).message });
    }
  }

  private async *pendingRecords(pageSize: number): AsyncGenerator<RetryRecord> {
    let after: string | null = null;
    // Keyset paging over PENDING records: the ones already reported drop out of the filter without moving the cursor.
    for (;;) {
      if (this.controller.signal.aborted) return;
      const { run }: RunRecordsQuery = await this.settings.http.request(
        RunRecordsDocument,
        { runId: this.run.id, first: pageSize, after },
        { retries: REPORT_RETRIES },
      );
      if (!run) return;
      for (const edge of run.records.edges) yield edge.node;
      if (!run.records.pageInfo.hasNextPage || !run.records.pageInfo.endCursor) return;
      after = run.records.pageInfo.endCursor;
    }
  }

  private async finish(input: FinishRunInput | undefined): Promise<RunOutcome> {
    try {
      let ended: EndedRunFragment;
      try {
        ended = await this.requestFinish(input);
      } catch (error) {
        if (!isConflict(error)) throw error;
        ended = await this.finishRefused(input, error);
      }
      this.settings.logger.info('run finished', { runId: ended.id, status: ended.status, total: ended.counts.total });
      return { ...ended, rejected: this.rejected };
    } catch (error) {
      this.settings.logger.warn('finishRun failed', { runId: this.run.id, error: (error as Error).message });
      throw error;
    }
  }

  private async requestFinish(input: FinishRunInput | undefined): Promise<EndedRunFragment> {
    // The lease token binds every call to this worker's lease (the key alone would let any worker sharing it in).
    const request = { runId: this.run.id, input: input ?? null, leaseToken: this.run.leaseToken };
    return (await this.settings.http.request(FinishRunDocument, request, { retries: REPORT_RETRIES })).finishRun;
  }

  /**
   * finishRun answered CONFLICT: the run was cancelled meanwhile (finished without a status, it ends CANCELLED),
   * or it has ended without this worker (its lease lapsed): then how it ended is the outcome.
   */
  private async finishRefused(input: FinishRunInput | undefined, conflict: unknown): Promise<EndedRunFragment> {
    const { run } = await this.settings.http.request(RunEndDocument, { runId: this.run.id }, { retries: REPORT_RETRIES });
    if (run?.status === 'CANCELLING' && input?.status) return this.requestFinish(input.endedAt ? { endedAt: input.endedAt } : undefined);
    // Ended is the server's word: a run has ended once it has an end time (the SDK keeps no list of statuses).
    if (!run || run.endedAt == null) throw conflict;
    this.settings.logger.warn('run ended without this worker', { runId: run.id, status: run.status, error: run.error });
    return run;
  }
}
