// The demo: three simulated pipelines on the SDK, so a fresh `npm start` has a live dashboard.
// First start on an empty database: creates the pipelines, backfills seven days, then syncs live.
import { join } from 'node:path';
import type { WorkerLogger } from '../sdk/index.js';
import { backfillHistory } from './backfill.js';
import { type LiveSync, startLiveSync } from './live.js';
import { findDemo, setUpDemo } from './setup.js';
import { showEveryFeature } from './showcase.js';
import { seededRandom } from './simulator.js';

export interface DemoOptions {
  /** The GraphQL endpoint. */
  url: string;
  /** An ADMIN key: the demo creates its pipelines and its worker's INGEST key (the in-process demo of `npm start`). */
  adminKey?: string;
  /** Or only an INGEST key: the demo reports into pipelines an admin created for it (docker-compose's demo worker). */
  ingestKey?: string;
  /** Where the demo keeps its worker's key between starts. */
  dataDir: string;
  logger: WorkerLogger;
  /** History to backfill on first start (default: 7 days, 220,000 records). */
  backfill?: { days?: number; totalRecords?: number };
  /** Seeds the simulation, for a reproducible history (default: random). */
  seed?: number;
}

export interface Demo {
  /** Settles when the setup and any backfill are done (or failed, which is logged). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function startDemo(options: DemoOptions): Demo {
  const { logger } = options;
  let live: LiveSync | null = null;
  const stopping = new AbortController();
  const ready = (async () => {
    const setup = options.ingestKey
      ? await findDemo(options.url, options.ingestKey)
      : await setUpDemo(options.url, options.adminKey ?? '', join(options.dataDir, 'demo-ingest-key.txt'));
    if (!setup) {
      logger.info(
        options.ingestKey
          ? 'demo not started: the demo pipelines do not exist; create them once with `docker compose run --rm demo-setup`'
          : 'demo not started: the database holds pipelines of its own',
      );
      return;
    }
    if (setup.fresh) {
      logger.info('demo pipelines created; backfilling their history', { pipelines: Object.keys(setup.pipelineIds).length });
      const result = await backfillHistory({
        url: options.url,
        ingestKey: setup.ingestKey,
        pipelineIds: setup.pipelineIds,
        logger,
        signal: stopping.signal,
        ...options.backfill,
        random: options.seed === undefined ? undefined : seededRandom(options.seed),
      });
      logger.info('demo backfill done', { ...result, recordsPerSecond: Math.round(result.records / result.seconds) });
      if (options.adminKey && !stopping.signal.aborted) {
        const began = performance.now();
        await showEveryFeature({
          url: options.url,
          adminKey: options.adminKey,
          ingestKey: setup.ingestKey,
          pipelineIds: setup.pipelineIds,
          historyDays: options.backfill?.days ?? 7,
          logger,
        });
        logger.info('demo features set up', { ms: Math.round(performance.now() - began) });
      }
    }
    if (stopping.signal.aborted) return;
    live = startLiveSync({ url: options.url, ingestKey: setup.ingestKey, pipelineIds: setup.pipelineIds, logger });
  })().catch((error) => {
    logger.error('demo failed', { error: (error as Error).message });
  });
  return {
    ready,
    async stop() {
      stopping.abort();
      await ready;
      await live?.stop();
    },
  };
}
