// The embedded default (`npm start` without DATABASE_URL) never fails obscurely: as root from private folders,
// after a SIGKILL left its PostgreSQL running, and with a second start on a folder in use.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive, type ServerProcess, startServerProcess, stopAllServerProcesses, until } from '../support/process.js';

const isRoot = process.getuid?.() === 0;
const started: ServerProcess[] = [];
const folders: string[] = [];

afterAll(async () => {
  await stopAllServerProcesses();
  for (const folder of folders) {
    // A cluster moved out of a private folder lives where its link points.
    try {
      rmSync(realpathSync(join(folder, 'data', 'postgres')), { recursive: true, force: true });
    } catch {}
    rmSync(folder, { recursive: true, force: true });
  }
});

function privateFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'syncwatch-ops-')); // mode 0700, as mkdtemp makes it
  folders.push(folder);
  return folder;
}

async function start(dataDir: string): Promise<ServerProcess> {
  const server = await startServerProcess({ DATA_DIR: dataDir });
  started.push(server);
  return server;
}

const ready = async (server: ServerProcess) => (await fetch(`${server.url}/readyz`)).status === 200;

/** The PostgreSQL pid and command line of the data folder's cluster. */
function postmaster(dataDir: string): { pid: number; opts: string } {
  const cluster = realpathSync(join(dataDir, 'postgres'));
  return {
    pid: Number(readFileSync(join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]),
    opts: readFileSync(join(cluster, 'postmaster.opts'), 'utf8'),
  };
}

describe.skipIf(!isRoot)('as root', () => {
  it('starts from a 0700 data folder inside a 0700 folder, with PostgreSQL running as postgres', async () => {
    const home = privateFolder();
    const dataDir = join(home, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const server = await start(dataDir);
    expect(server.stderr()).toBe('');
    expect(server.url).not.toBeNull();
    expect(await ready(server)).toBe(true);
    const { pid } = postmaster(dataDir);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+(\d+)/m);
    expect(Number(status.match(/^Uid:\s+(\d+)/m)?.[1])).not.toBe(0);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(pidAlive(pid)).toBe(false);
  });
});
if (!isRoot) it.skip('as root from private folders: skipped, this test run is not root', () => {});

describe('on one data folder', () => {
  const dataDir = join(privateFolder(), 'data');
  let first: ServerProcess;

  it('commits durably by default (fsync and synchronous commit left on)', async () => {
    first = await start(dataDir);
    expect(first.stderr()).toBe('');
    expect(await ready(first)).toBe(true);
    const { opts } = postmaster(dataDir);
    expect(opts).not.toMatch(/fsync=off|synchronous_commit=off/);
  });

  it('refuses a second start on the folder in use, in one line', async () => {
    const second = await start(dataDir);
    expect(second.url).toBeNull();
    expect(await second.exited).toEqual({ code: 1, signal: null });
    const lines = second.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`another syncwatch \\(pid ${first.pid}\\) is using the data folder`));
    expect(await ready(first)).toBe(true); // the first one is unharmed
  });

  it('after a SIGKILL, the next start stops the PostgreSQL left running and starts cleanly', async () => {
    const { pid: leftover } = postmaster(dataDir);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(pidAlive(leftover)).toBe(true); // what the kill leaves behind
    const again = await start(dataDir);
    expect(again.stderr()).toBe('');
    expect(again.logs().some((line) => String(line.msg).includes('left running'))).toBe(true);
    expect(pidAlive(leftover)).toBe(false);
    await until(() => ready(again));
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });
  });
});
