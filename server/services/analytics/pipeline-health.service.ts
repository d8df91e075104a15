import type { DataSource } from 'typeorm';
import type { RunStatus } from '../../domain/enums.js';
import { ERROR_RATE_WINDOW_HOURS, type HealthFacts } from '../../domain/pipeline-health.js';
import { HEALTH_FACTS_SQL } from '../../sql/pipeline-health.js';

interface FactsRow {
  pipeline_id: string;
  last_run_at: Date | null;
  last_finished_status: RunStatus | null;
  last_finished_at: Date | null;
  last_finished_error: string | null;
  last_success_at: Date | null;
  recent_records: string;
  recent_failed: string;
  dead_letters: string;
}

/** Reads what pipeline health is decided from (the rule itself is domain/pipeline-health.ts). */
export class PipelineHealthService {
  constructor(private readonly db: DataSource) {}

  /** Facts of many pipelines, for DataLoader: one statement, in the order asked. Unscoped: callers hold visible pipelines. */
  async factsFor(pipelineIds: readonly string[], now = new Date()): Promise<HealthFacts[]> {
    const rows: FactsRow[] = await this.db.query(HEALTH_FACTS_SQL, [[...pipelineIds], now, ERROR_RATE_WINDOW_HOURS]);
    const byId = new Map(rows.map((row) => [row.pipeline_id, row]));
    return pipelineIds.map((id) => {
      const row = byId.get(id);
      if (!row) throw new Error(`no health facts for pipeline ${id}`);
      return {
        lastRunAt: row.last_run_at,
        lastFinished:
          row.last_finished_status && row.last_finished_at
            ? { status: row.last_finished_status, endedAt: row.last_finished_at, error: row.last_finished_error }
            : null,
        lastSuccessAt: row.last_success_at,
        recentRecords: Number(row.recent_records),
        recentFailed: Number(row.recent_failed),
        deadLetters: Number(row.dead_letters),
      };
    });
  }
}
