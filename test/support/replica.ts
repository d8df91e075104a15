// A real streaming replica next to an embedded primary, made with nothing but the embedded package's binaries (it has
// no pg_basebackup): a base backup taken with pg_backup_start / pg_backup_stop over a copy of the primary's folder,
// plus standby.signal and primary_conninfo. initdb's pg_hba already lets 127.0.0.1 replicate, and wal_level is
// `replica` by default.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../server/db/embedded.js';

export interface ReplicatedDatabase {
  primary: EmbeddedDatabase;
  replica: EmbeddedDatabase;
  /** The database both serve (created on the primary before the backup). */
  name: string;
  /** Stops both and removes their folders. */
  stop(): Promise<void>;
}

// What a base backup leaves out (PostgreSQL's "Making a Base Backup Using the Low Level API"): the running server's
// files, and the contents of these folders (the standby streams its WAL from the primary).
const LEFT_OUT = new Set(['postmaster.pid', 'postmaster.opts']);
const COPIED_EMPTY = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_stat_tmp',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_subtrans',
]);

export async function startReplicatedDatabase(name = 'syncwatch'): Promise<ReplicatedDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'syncwatch-replica-test-'));
  const primary = await startEmbeddedPostgres(join(dir, 'primary'), { persistent: false, durable: false });
  let replica: EmbeddedDatabase | null = null;
  try {
    await primary.createDatabase(name);
    const copy = join(dir, 'replica');
    const client = new pg.Client({ connectionString: primary.url });
    await client.connect();
    try {
      await client.query(`SELECT pg_backup_start('syncwatch test replica', true)`);
      cpSync(primary.clusterDir, copy, {
        recursive: true,
        filter: (source) => {
          const [top, ...below] = relative(primary.clusterDir, source).split('/');
          return !LEFT_OUT.has(top) && !(COPIED_EMPTY.has(top) && below.length > 0);
        },
      });
      const { rows } = await client.query<{ labelfile: string }>('SELECT labelfile FROM pg_backup_stop(true)');
      writeFileSync(join(copy, 'backup_label'), rows[0].labelfile);
    } finally {
      await client.end();
    }
    const { port } = new URL(primary.url);
    writeFileSync(join(copy, 'standby.signal'), '');
    appendFileSync(
      join(copy, 'postgresql.auto.conf'),
      `\nprimary_conninfo = 'host=127.0.0.1 port=${port} user=postgres password=syncwatch application_name=syncwatch_test_replica'\n`,
    );
    mkdirSync(join(copy, 'pg_wal', 'archive_status'), { recursive: true });
    // As root the embedded PostgreSQL runs as `postgres`, who must own its folder as it owns the primary's.
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', '--reference', primary.clusterDir, copy]);
    execFileSync('chmod', ['-R', 'go-rwx', copy]);
    replica = await startEmbeddedPostgres(copy, { persistent: false, durable: false });
    const started = replica;
    return {
      primary,
      replica: started,
      name,
      async stop() {
        await started.stop();
        await primary.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await replica?.stop().catch(() => {});
    await primary.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
