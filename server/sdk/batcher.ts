// Buffers reported records and sends them in order: when the buffer reaches its size, or when its oldest record has waited long enough.
import type { RecordReportInput } from './generated/graphql.js';

export type SendBatch = (records: RecordReportInput[]) => Promise<void>;

export class RecordBatcher {
  private buffer: RecordReportInput[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The chain of sends: batches leave one after another, in the order they were reported. */
  private sending: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  constructor(
    private readonly send: SendBatch,
    private readonly batchSize: number,
    private readonly flushIntervalMs: number,
  ) {}

  /** Buffers a record; when that fills a batch, resolves once the batch is sent (back-pressure). */
  async add(record: RecordReportInput): Promise<void> {
    if (this.failure) throw this.failure;
    this.buffer.push(record);
    if (this.buffer.length >= this.batchSize) return this.flush();
    this.timer ??= setTimeout(() => {
      this.flush().catch(() => {}); // kept in this.failure and thrown to the next caller
    }, this.flushIntervalMs);
  }

  /** Sends everything buffered, and waits for every earlier batch too. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length > 0) {
      this.sending = this.sending.then(() => {
        if (this.failure) return;
        return this.send(batch).catch((error) => {
          this.failure = error;
        });
      });
    }
    return this.sending.then(() => {
      if (this.failure) throw this.failure;
    });
  }

  /** Drops the buffer and stops the timer (the run is gone). */
  discard(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.buffer = [];
  }
}
