import { Router } from 'express';
import type { DataSource } from 'typeorm';

/** /healthz: the process answers. /readyz: it can reach its database. */
export function healthRoutes(db: DataSource): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ready' });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', error: String(error) });
    }
  });
  return router;
}
