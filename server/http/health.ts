import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { ReplicaState } from '../db/read-routing.js';
import type { Logger } from '../logger.js';

export interface Readiness {
  /** Set on SIGTERM, before anything else stops: load balancers stop sending requests here. */
  draining(): boolean;
  /** Whether the LISTEN connection feeding live subscriptions is up. */
  listening(): boolean;
  /** The read replica (DATABASE_READ_URL) as last measured, or null without one: reported, never a reason for 503. */
  replica(): ReplicaState | null;
}

/**
 * /healthz: the process answers. /readyz: it is not shutting down, reaches its database and LISTENs for events; it also
 * says whether the read replica is used.
 */
export function healthRoutes(db: DataSource, readiness: Readiness, logger: Logger): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (readiness.draining()) {
      res.status(503).json({ status: 'shutting down' });
      return;
    }
    try {
      await db.query('SELECT 1');
    } catch (error) {
      // The database's error text (host, database and role names) stays in the log, not on a public endpoint.
      logger.warn('readiness: the database does not answer', { error: String(error) });
      res.status(503).json({ status: 'unavailable', database: 'down' });
      return;
    }
    if (!readiness.listening()) {
      res.status(503).json({ status: 'unavailable', database: 'up', listen: 'down' });
      return;
    }
    const replica = readiness.replica();
    res.json({
      status: 'ready',
      database: 'up',
      listen: 'up',
      // A replica down or too far behind is skipped (reads go to the primary), so the instance stays ready.
      ...(replica && {
        replica: {
          state: replica.inUse ? 'in use' : replica.reachable ? 'skipped: lagging' : 'skipped: down',
          lagSeconds: replica.lagSeconds,
        },
      }),
    });
  });
  return router;
}
