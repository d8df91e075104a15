// CSV exports of records and runs. A job freezes its scope, is audited, and is counted in the background; its
// signed link lets any instance stream the file straight from PostgreSQL (COPY ... TO STDOUT, CSV written by
// PostgreSQL itself): constant memory, no row cap, first bytes once the rows are counted (in the snapshot the file
// is read from), nothing kept on an instance's disk.
import type { Readable } from 'node:stream';
import { type CopyToStreamQuery, to as copyTo } from 'pg-copy-streams';
import { type DataSource, In } from 'typeorm';
import { poolOf } from '../../db/pool.js';
import type { Actor } from '../../domain/actor.js';
import { mayExportRecords, sees } from '../../domain/actor.js';
import { ExportStatus } from '../../domain/enums.js';
import { badInput, forbidden } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { signedPath, verifySignedPath } from '../../domain/signed-url.js';
import { ExportJob, ExportKind } from '../../entities/ExportJob.js';
import { DATABASE_NOW } from '../../sql/clock.js';
import {
  countExportRowsSql,
  DELETE_EXPIRED_EXPORTS_SQL,
  DOWNLOADABLE_EXPORT_SQL,
  INSERT_EXPORT_JOB_SQL,
  MAX_RECORD_ID_SQL,
  STALE_EXPORTS_SQL,
  UPDATE_EXPORT_ROW_COUNT_SQL,
} from '../../sql/exports.js';
import type { AuditService } from '../access/audit.service.js';
import type { ServerSecrets } from '../access/server-secrets.js';
import type { RecordFilter, RunFilter } from '../lists/filters.js';
import { copyStatement, type ExportScope, exportStatement, scopeOf, thawFilter } from './export-query.js';

const SIGNING_SECRET = 'export-links';
/** Downloads one instance streams at once; each holds a pooled connection, and the API needs the rest. */
const MAX_CONCURRENT_DOWNLOADS = 3;
/** Bytes a download buffers ahead of its client (each of the three at most). */
const COPY_BUFFER_BYTES = 1024 * 1024;
/** A job still PENDING or RUNNING this long after its last change lost its counter (an instance stopped). */
const STALE_PREPARATION_SECONDS = 120;

/** A job's failure when the instance preparing it shut down. */
export const SHUTDOWN_FAILURE = 'the server preparing this export shut down before it was ready; ask for the export again';

class ShutdownError extends Error {}

export const exportPath = (id: string) => `/exports/${id}.csv`;

export interface ExportDownload {
  fileName: string;
  /** The rows the file holds (the header row aside), counted in the snapshot the file is read from. */
  rowCount: number;
  /** The CSV bytes: a header row, then the rows. Ends when the last row is sent. */
  stream: Readable;
  /** Stops early (client gone, shutdown); the database connection is closed rather than reused. */
  abort(): void;
}

export type DownloadOpening = { ok: true; download: ExportDownload } | { ok: false; reason: 'forbidden' | 'busy' };

export interface ExportOptions {
  exportUrlTtlSeconds: number;
  onFailure?: (message: string, fields: Record<string, unknown>) => void;
}

export class ExportService {
  private readonly preparing = new Set<Promise<void>>();
  private readonly downloads = new Set<ExportDownload>();
  /** Backends counting a job's rows now (cancelled at shutdown). */
  private readonly counting = new Set<number>();
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly secrets: ServerSecrets,
    private readonly options: ExportOptions,
    /** Where downloads read their rows: a replica when there is one (db/read-routing.ts); jobs stay on `db`. */
    private readonly reader: DataSource = db,
  ) {}

  exportRecords(actor: Actor, filter: RecordFilter | null | undefined, limit: number | null | undefined): Promise<ExportJob> {
    if (!mayExportRecords(actor, filter?.runIds)) {
      throw forbidden(`role ${actor.role} may export the records of one run (filter.runIds naming one run); exporting more needs OPERATOR`);
    }
    return this.create(actor, ExportKind.RECORDS, filter, limit);
  }

  exportRuns(actor: Actor, filter: RunFilter | null | undefined, limit: number | null | undefined): Promise<ExportJob> {
    return this.create(actor, ExportKind.RUNS, filter, limit);
  }

  /** A job the actor may see (its tenant's, or any for an unbound key), with its link when READY. */
  async find(actor: Actor, id: string): Promise<ExportJob | null> {
    if (!isUuid(id)) return null;
    const job = await this.db.getRepository(ExportJob).findOneBy({ id });
    if (!job || !sees(actor, job.tenantId)) return null;
    return this.withLink(job);
  }

  private async create(
    actor: Actor,
    kind: ExportKind,
    filter: RecordFilter | RunFilter | null | undefined,
    limit: number | null | undefined,
  ): Promise<ExportJob> {
    if (limit != null && (!Number.isInteger(limit) || limit < 1)) throw badInput(`limit must be at least 1, got ${limit}`);
    // Stored as JSON and read back as every later use will: a filter that does not survive that is refused now.
    const frozenFilter = filter ? (JSON.parse(JSON.stringify(filter)) as Record<string, unknown>) : null;
    const check: ExportScope = {
      kind,
      filter: thawFilter(frozenFilter),
      limit: limit ?? null,
      tenantId: actor.tenantId,
      maxRecordId: '0',
      createdBefore: new Date(),
    };
    exportStatement(check, true); // a bad filter throws BAD_USER_INPUT here, before anything is written

    const job = await this.db.transaction(async (manager) => {
      const [{ max }] = kind === ExportKind.RECORDS ? await manager.query(MAX_RECORD_ID_SQL) : [{ max: null }];
      const [inserted] = await manager.query(INSERT_EXPORT_JOB_SQL, [
        kind,
        frozenFilter,
        limit ?? null,
        actor.tenantId,
        max,
        actor.name,
        actor.keyId || null,
        this.options.exportUrlTtlSeconds,
      ]);
      await this.audit.write(manager, actor, `export.${kind.toLowerCase()}`, `export:${inserted.id}`, {
        filter: frozenFilter,
        limit: limit ?? null,
      });
      return manager.getRepository(ExportJob).findOneByOrFail({ id: inserted.id });
    });
    void this.prepareInBackground(job);
    return this.withLink(job);
  }

  private prepareInBackground(job: ExportJob): Promise<void> {
    const preparing = this.prepare(job).finally(() => this.preparing.delete(preparing));
    this.preparing.add(preparing);
    return preparing;
  }

  /**
   * Counts the job's rows (the same rows the file will hold): RUNNING, then READY with the count, or FAILED. A
   * shutdown cancels the count and the job ends FAILED saying so, rather than RUNNING until housekeeping notices.
   */
  private async prepare(job: ExportJob): Promise<void> {
    const jobs = this.db.getRepository(ExportJob);
    const runner = this.db.createQueryRunner();
    let pid: number | null = null;
    try {
      if (this.stopped) throw new ShutdownError();
      await jobs.update({ id: job.id }, { status: ExportStatus.RUNNING, updatedAt: DATABASE_NOW });
      await runner.connect();
      [{ pid }] = await runner.query('SELECT pg_backend_pid() AS pid');
      this.counting.add(pid as number);
      if (this.stopped) throw new ShutdownError(); // stop() came before this count could be cancelled
      const { sql, values } = exportStatement(scopeOf(job), false);
      const [{ n }] = await runner.query(countExportRowsSql(sql), values);
      await jobs.update({ id: job.id }, { status: ExportStatus.READY, rowCount: n, updatedAt: DATABASE_NOW });
    } catch (error) {
      const failure = this.stopped ? SHUTDOWN_FAILURE : String(error);
      this.options.onFailure?.('export failed', { exportId: job.id, error: failure });
      await jobs.update({ id: job.id }, { status: ExportStatus.FAILED, failure, updatedAt: DATABASE_NOW }).catch(() => {});
    } finally {
      if (pid !== null) this.counting.delete(pid);
      await runner.release();
    }
  }

  private async withLink(job: ExportJob): Promise<ExportJob> {
    job.downloadUrl = null;
    if (job.status === ExportStatus.READY && job.expiresAt.getTime() > Date.now()) {
      const secret = await this.secrets.get(SIGNING_SECRET);
      job.downloadUrl = signedPath(secret, exportPath(job.id), Math.floor(job.expiresAt.getTime() / 1000));
    }
    return job;
  }

  /**
   * Opens the download of a signed link. Refused alike (forbidden) when the signature is wrong, the link expired,
   * the job is gone or not ready, or the key that asked for it was revoked: a caller learns nothing more.
   */
  async openDownload(id: string, expires: unknown, sig: unknown): Promise<DownloadOpening> {
    const secret = await this.secrets.get(SIGNING_SECRET);
    if (!verifySignedPath(secret, exportPath(id), expires, sig, Date.now() / 1000) || !isUuid(id)) {
      return { ok: false, reason: 'forbidden' };
    }
    if (this.stopped || this.downloads.size >= MAX_CONCURRENT_DOWNLOADS) return { ok: false, reason: 'busy' };
    const downloadable: unknown[] = await this.db.query(DOWNLOADABLE_EXPORT_SQL, [id, ExportStatus.READY]);
    const job = downloadable.length > 0 ? await this.db.getRepository(ExportJob).findOneBy({ id }) : null;
    if (!job) return { ok: false, reason: 'forbidden' };
    // Checked again: another download may have started while the job was read.
    if (this.stopped || this.downloads.size >= MAX_CONCURRENT_DOWNLOADS) return { ok: false, reason: 'busy' };
    return { ok: true, download: await this.stream(job) };
  }

  private async stream(job: ExportJob): Promise<ExportDownload> {
    const scope = scopeOf(job);
    const statement = copyStatement(scope);
    const count = exportStatement(scope, false);
    const client = await poolOf(this.reader).connect();
    let download: ExportDownload | null = null;
    let released = false;
    const release = (error?: Error) => {
      if (released) return;
      released = true;
      if (download) this.downloads.delete(download);
      // Always closed, never pooled again: it may be mid-COPY, and its statement_timeout was lifted.
      client.release(error ?? true);
    };
    let rowCount: number;
    try {
      // A download streams as fast as its client reads: no statement timeout (downloads are few and bounded).
      await client.query('SET statement_timeout = 0');
      // The count and the file from one snapshot. Counted when the job was prepared, records retried, reported or
      // removed since made the file disagree with the count it was announced with ("930 rows", 924 in the file).
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      [{ n: rowCount }] = (await client.query(countExportRowsSql(count.sql), count.values)).rows;
      if (rowCount !== job.rowCount) await this.db.query(UPDATE_EXPORT_ROW_COUNT_SQL, [job.id, rowCount]);
    } catch (error) {
      release(error as Error);
      throw error;
    }
    // A large buffer: fewer hand-offs between PostgreSQL, this process and the client, which share the cores.
    const stream = client.query(copyTo(statement, { highWaterMark: COPY_BUFFER_BYTES }));
    disarmReadTimeout(stream);
    const opened: ExportDownload = {
      fileName: `syncwatch-${job.kind.toLowerCase()}-${job.id}.csv`,
      rowCount,
      stream,
      abort: () => {
        stream.destroy();
        release(new Error('export download stopped early'));
      },
    };
    download = opened;
    this.downloads.add(opened);
    stream.on('end', () => release());
    stream.on('error', (error) => {
      this.options.onFailure?.('export download failed', { exportId: job.id, error: String(error) });
      release(error);
    });
    return opened;
  }

  /**
   * Housekeeping (leader): removes expired jobs, and counts again jobs whose counter stopped (its instance went
   * away mid-count), so none stays RUNNING forever. Returns how many jobs were removed.
   */
  async housekeep(): Promise<number> {
    const [, removed]: [unknown[], number] = await this.db.query(DELETE_EXPIRED_EXPORTS_SQL);
    const staleIds: { id: string }[] = await this.db.query(STALE_EXPORTS_SQL, [
      [ExportStatus.PENDING, ExportStatus.RUNNING],
      STALE_PREPARATION_SECONDS,
    ]);
    const stale = staleIds.length > 0 ? await this.db.getRepository(ExportJob).findBy({ id: In(staleIds.map((row) => row.id)) }) : [];
    // Stopping, this instance leaves them to the next leader.
    if (!this.stopped) await Promise.all(stale.map((job) => this.prepareInBackground(job)));
    return removed;
  }

  /**
   * Shutdown: downloads in flight are cut at once rather than holding the drain. The link works on any instance,
   * so a client retries elsewhere; a cut chunked response never looks complete. Counts in flight are cancelled,
   * their jobs FAILED with a failure that says why and what to do.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const download of [...this.downloads]) download.abort();
    await Promise.all([...this.counting].map((pid) => this.db.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined)));
    await Promise.allSettled([...this.preparing]);
  }
}

/**
 * Disarms the pool's query_timeout for a COPY ... TO STDOUT, as its statement_timeout is lifted: a download lasts as
 * long as its client reads. pg's client.query arms that timer on every query and disarms it in the query's callback,
 * which pg-copy-streams never calls (brianc/node-pg-copy-streams#156): the timer then failed every download's stream
 * query_timeout after it started ("Query read timeout", logged as a failed download 35 s after a finished one, and
 * cutting one still running). A client that leaves, or a shutdown, still ends the download (abort).
 */
function disarmReadTimeout(copy: CopyToStreamQuery): void {
  const query = copy as CopyToStreamQuery & { callback?: (error: Error | null) => void };
  query.callback?.(null);
  query.callback = undefined;
}
