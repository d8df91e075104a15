// GET /exports/<id>.csv?expires=..&sig=..: the signed download of an export job. No API key: the signature is the
// permission, so a browser can follow the link. A bad or expired link is 403 with nothing but "forbidden".
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import type { Logger } from '../logger.js';
import type { ExportService } from '../services/housekeeping/export.service.js';

export function exportRoutes(exports: ExportService, logger: Logger): Router {
  const router = Router();
  router.get('/exports/:file', async (req, res) => {
    const id = /^(.+)\.csv$/.exec(req.params.file)?.[1] ?? '';
    res.set('cache-control', 'no-store');
    let opening: Awaited<ReturnType<ExportService['openDownload']>>;
    try {
      opening = await exports.openDownload(id, req.query.expires, req.query.sig);
    } catch (error) {
      logger.error('export download could not start', { error: String(error) });
      res.status(503).set('retry-after', '5').type('text/plain').send('unavailable');
      return;
    }
    if (!opening.ok) {
      if (opening.reason === 'busy') res.status(503).set('retry-after', '5').type('text/plain').send('busy, try again');
      else res.status(403).type('text/plain').send('forbidden');
      return;
    }
    const { download } = opening;
    if (req.method === 'HEAD') {
      download.abort();
      res.status(200).type('text/csv; charset=utf-8').end();
      return;
    }
    res.status(200);
    res.set('content-type', 'text/csv; charset=utf-8; header=present');
    res.set('content-disposition', `attachment; filename="${download.fileName}"`);
    // The rows of this file, counted in the snapshot it is read from (also the job's rowCount from now on).
    res.set('x-row-count', String(download.rowCount));
    // The client may leave mid-file: stop reading from PostgreSQL then, and close that connection.
    res.on('close', () => {
      if (!res.writableFinished) download.abort();
    });
    try {
      await pipeline(download.stream, res); // the header row first, at once: the status line goes with it
    } catch (error) {
      download.abort();
      // A client that left, a shutdown, or a database failure: the response is cut (no final chunk, or no
      // response at all), so the client never takes a partial file for a whole one.
      logger.warn('export download ended early', { error: String(error) });
      res.destroy();
    }
  });
  return router;
}
