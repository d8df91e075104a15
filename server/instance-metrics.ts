// This instance's Prometheus metrics (one registry per instance: tests run several in one process).
// Counters and histograms are fed where things happen; gauges read their state at scrape time.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { poolOf } from './db/pool.js';
import type { ReplicaState } from './db/read-routing.js';
import { CLOSE } from './sdk/close-codes.js';

export interface MetricsSources {
  db: DataSource;
  /** Whether this instance's LISTEN connection is up. */
  listening(): boolean;
  /** Whether this instance holds the background-jobs lock. */
  leader(): boolean;
  openSubscriptions(): number;
  /** The read replica as last measured (null without DATABASE_READ_URL). */
  replica(): ReplicaState | null;
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'syncwatch_' });
  const registers = [registry];
  let sources: MetricsSources | null = null;
  let turns: { readonly waiting: number } | null = null;
  let openSockets = 0;

  const metrics = {
    registry,
    requestDuration: new Histogram({
      name: 'syncwatch_graphql_request_duration_seconds',
      help: 'GraphQL requests over HTTP, by operation (type and root field) and outcome (ok or the first error code).',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    eventsDelivered: new Counter({
      name: 'syncwatch_events_delivered_total',
      help: 'Events offered to this instance’s subscribers (one per event and subscriber).',
      registers,
    }),
    eventsDispatched: new Counter({
      name: 'syncwatch_events_dispatched_total',
      help: 'Committed events read and dispatched by this instance’s event hub.',
      registers,
    }),
    eventLag: new Histogram({
      name: 'syncwatch_event_delivery_lag_seconds',
      help: 'From the write of an event (its transaction) to its dispatch to subscribers.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    recordsIngested: new Counter({
      name: 'syncwatch_records_ingested_total',
      help: 'Records reported by workers and accepted.',
      registers,
    }),
    recordsRejected: new Counter({
      name: 'syncwatch_records_rejected_total',
      help: 'Records reported by workers and rejected as invalid.',
      registers,
    }),
    socketCloses: new Counter({
      name: 'syncwatch_websocket_closes_total',
      help: `WebSocket closes by code (${CLOSE.SLOW_READER.code}: slow reader, 4401: key, 1001: going away, 1000: normal).`,
      labelNames: ['code'],
      registers,
    }),
    slowReaderCloses: new Counter({
      name: 'syncwatch_slow_reader_closes_total',
      help: `Subscribers closed with ${CLOSE.SLOW_READER.code} because their buffer of unsent events overflowed.`,
      registers,
    }),
    rateLimited: new Counter({
      name: 'syncwatch_rate_limited_total',
      help: 'GraphQL requests refused with 429 RATE_LIMITED, by the limit that refused them: key (requests of one key), address (requests of one client address) or failed_auth (an address that failed authentication too often).',
      labelNames: ['limit'],
      registers,
    }),
    socketOpened() {
      openSockets++;
    },
    socketClosed(code: number) {
      openSockets--;
      metrics.socketCloses.inc({ code: String(code) });
      if (code === CLOSE.SLOW_READER.code) metrics.slowReaderCloses.inc();
    },
    /** Connects the scrape-time gauges to this instance's state. */
    attach(from: MetricsSources) {
      sources = from;
    },
    /** Connects syncwatch_graphql_waiting to the HTTP server's turns (graphql/turns.ts). */
    watchTurns(of: { readonly waiting: number }) {
      turns = of;
    },
  };

  // Each limit's series from the start, at 0: a refusal is an increase, not a series appearing.
  for (const limit of ['key', 'address', 'failed_auth']) metrics.rateLimited.inc({ limit }, 0);
  new Gauge({
    name: 'syncwatch_websockets_open',
    help: 'Open WebSocket connections.',
    registers,
    collect() {
      this.set(openSockets);
    },
  });
  new Gauge({
    name: 'syncwatch_subscriptions_open',
    help: 'Open GraphQL subscriptions.',
    registers,
    collect() {
      this.set(sources?.openSubscriptions() ?? 0);
    },
  });
  new Gauge({
    name: 'syncwatch_listen_up',
    help: '1 while the LISTEN connection for live events is up.',
    registers,
    collect() {
      this.set(sources?.listening() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'syncwatch_leader',
    help: '1 while this instance holds the background-jobs lock.',
    registers,
    collect() {
      this.set(sources?.leader() ? 1 : 0);
    },
  });
  const pool = () => (sources?.db.isInitialized ? poolOf(sources.db) : undefined);
  new Gauge({
    name: 'syncwatch_db_pool_in_use',
    help: 'Database pool connections checked out.',
    registers,
    collect() {
      const p = pool();
      this.set(p ? p.totalCount - p.idleCount : 0);
    },
  });
  // Without DATABASE_READ_URL these series are absent; an unreachable replica has no lag, and in_use 0.
  new Gauge({
    name: 'syncwatch_replica_in_use',
    help: '1 while reads go to the read replica (it answers and lags at most REPLICA_MAX_LAG_MS).',
    registers,
    collect() {
      this.reset();
      const replica = sources?.replica();
      if (replica) this.set(replica.inUse ? 1 : 0);
    },
  });
  new Gauge({
    name: 'syncwatch_replica_lag_seconds',
    help: 'Seconds since the read replica replayed its last commit, while it has WAL left to replay (0: caught up).',
    registers,
    collect() {
      this.reset();
      const lag = sources?.replica()?.lagSeconds;
      if (lag != null) this.set(lag);
    },
  });
  new Gauge({
    name: 'syncwatch_replica_lag_bytes',
    help: 'Bytes of WAL the primary has written and the read replica has not replayed yet.',
    registers,
    collect() {
      this.reset();
      const lag = sources?.replica()?.lagBytes;
      if (lag != null) this.set(lag);
    },
  });
  new Gauge({
    name: 'syncwatch_graphql_waiting',
    help: 'GraphQL requests over HTTP waiting for their turn to run (GRAPHQL_CONCURRENCY run at once).',
    registers,
    collect() {
      this.set(turns?.waiting ?? 0);
    },
  });
  new Gauge({
    name: 'syncwatch_db_pool_waiting',
    help: 'Requests waiting for a database pool connection.',
    registers,
    collect() {
      this.set(pool()?.waitingCount ?? 0);
    },
  });
  return metrics;
}
