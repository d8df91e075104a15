import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

export const CLIENT_DIST = fileURLToPath(new URL('../../client/dist', import.meta.url));

/** Serves the built dashboard, with its client-side routes falling back to index.html. */
export function staticClient(dir = CLIENT_DIST): Router {
  const router = Router();
  if (!existsSync(join(dir, 'index.html'))) {
    router.get('/', (_req, res) => {
      res.type('text/plain').send('syncwatch: the dashboard is not built; run `npm run build:client`. GraphQL is at /graphql.');
    });
    return router;
  }
  router.use(express.static(dir, { index: 'index.html', maxAge: '1h' }));
  router.get(/^\/(?!graphql|healthz|readyz|metrics|exports).*/, (_req, res) => {
    res.sendFile(join(dir, 'index.html'));
  });
  return router;
}
