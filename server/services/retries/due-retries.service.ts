// The automatic retry job (leader, every second): failures whose retry fell due are gathered into one QUEUED
// RETRY run per pipeline, which the pipeline's workers claim like any run.
import type { DataSource } from 'typeorm';
import { appendEvents } from '../../events/event-log.js';
import { TAKE_DUE_RETRIES_SQL } from '../../sql/retries.js';
import { changedRecordEvents, joinQueuedRetryRuns, queueRetryRuns, type Taken } from './retry-runs.js';

/** Due records taken per transaction. */
const DUE_BATCH = 5_000;
/** triggeredBy of the retry runs this job queues. */
const AUTOMATIC = 'syncwatch (automatic retry)';

export class DueRetryService {
  constructor(private readonly db: DataSource) {}

  /** Queues every retry due now; returns how many records it took. */
  async queueDue(): Promise<number> {
    let queued = 0;
    for (;;) {
      const count = await this.db.transaction(async (manager) => {
        const taken: Taken[] = await manager.query(TAKE_DUE_RETRIES_SQL, [DUE_BATCH]);
        const rest = await joinQueuedRetryRuns(manager, taken, AUTOMATIC);
        await queueRetryRuns(manager, rest, AUTOMATIC);
        await appendEvents(manager, changedRecordEvents(taken));
        return taken.length;
      });
      queued += count;
      if (count < DUE_BATCH) return queued;
    }
  }
}
