// /metrics in Prometheus text format: this instance's metrics (server/instance-metrics.ts), and run, retry, rollup and
// partition state read at scrape time.
import { Router } from 'express';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { ACTIVE_RUN_STATUSES } from '../domain/run-lifecycle.js';
import type { Metrics } from '../instance-metrics.js';
import type { Logger } from '../logger.js';
import { RETRIES_DUE_SQL, RUNS_BY_STATUS_SQL, UNFOLDED_DELTAS_SQL, UNFOLDED_ERROR_GROUP_DELTAS_SQL } from '../sql/metrics.js';
import { PARTITIONS_AHEAD_SQL } from '../sql/partitions.js';
import { PROGRESS_SQL } from '../sql/repartition.js';

export function metricsRoutes(db: DataSource, metrics: Metrics, logger: Logger): Router {
  const registry = metrics.registry;
  new Gauge({
    name: 'syncwatch_runs',
    help: 'Runs by status (active statuses and the last 24 hours of finished ones).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      // The database is away: the instance's own metrics still answer.
      const rows: { status: string; n: number }[] = await db.query(RUNS_BY_STATUS_SQL, [ACTIVE_RUN_STATUSES]).catch(() => []);
      this.reset();
      for (const row of rows) this.set({ status: row.status }, row.n);
    },
  });
  new Gauge({
    name: 'syncwatch_retries_due',
    help: 'Records waiting for an automatic retry whose time has come.',
    registers: [registry],
    async collect() {
      const rows = await db.query(RETRIES_DUE_SQL).catch(() => null);
      if (rows) this.set(rows[0].n);
    },
  });
  new Gauge({
    name: 'syncwatch_rollup_deltas_unfolded',
    help: 'Rollup deltas written by ingest and not yet folded into the rollups by the leader (about a second of ingest when it keeps up).',
    registers: [registry],
    async collect() {
      const rows = await db.query(UNFOLDED_DELTAS_SQL).catch(() => null);
      if (rows) this.set(rows[0].n);
    },
  });
  new Gauge({
    name: 'syncwatch_error_group_deltas_unfolded',
    help: 'Error-group deltas written by ingest and not yet folded into the error-group counts by the leader.',
    registers: [registry],
    async collect() {
      const rows = await db.query(UNFOLDED_ERROR_GROUP_DELTAS_SQL).catch(() => null);
      if (rows) this.set(rows[0].n);
    },
  });

  new Gauge({
    name: 'syncwatch_partitions_ahead_seconds',
    help: 'How far ahead of now the days made for a partitioned table reach (the leader keeps 2 days ahead; 0: rows land in the default partition).',
    labelNames: ['table'],
    registers: [registry],
    async collect() {
      for (const table of ['events', 'records', 'record_attempts']) {
        const rows = await db.query(PARTITIONS_AHEAD_SQL, [table]).catch(() => null);
        if (rows?.length) this.set({ table }, rows[0].seconds);
      }
    },
  });

  // An upgrade's copy of the old records into partitions (docs/scaling.md): series only while one is pending.
  type CopyProgress = { table_name: string; rows_copied: number; rows_left: number };
  const repartitionGauge = (name: string, help: string, value: (row: CopyProgress) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['table'],
      registers: [registry],
      async collect() {
        const rows = (await db.query(PROGRESS_SQL).catch(() => null)) as CopyProgress[] | null;
        if (!rows) return;
        this.reset();
        for (const row of rows) this.set({ table: row.table_name }, value(row));
      },
    });
  repartitionGauge(
    'syncwatch_repartition_rows_copied',
    'Rows of the old records and record_attempts tables the upgrade to partitions has copied so far (while one is pending).',
    (row) => row.rows_copied,
  );
  repartitionGauge(
    'syncwatch_repartition_rows_left',
    'Rows of the old records and record_attempts tables the upgrade to partitions has still to copy (an estimate; 0: it swaps next).',
    (row) => row.rows_left,
  );

  const router = Router();
  router.get('/metrics', async (_req, res) => {
    try {
      res.type(registry.contentType).send(await registry.metrics());
    } catch (error) {
      // Details (database error text included) go to the log only.
      logger.warn('metrics collection failed', { error: String(error) });
      res.status(503).type('text/plain').send('metrics unavailable');
    }
  });
  return router;
}
