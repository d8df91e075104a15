// The server in a process of its own, as `npm start` runs it (NODE_ENV comes with process.env), so a bench can read
// its memory and CPU apart from the bench's own. Resolves once /healthz answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../server/db/embedded.js';
import { ADMIN_SECRET } from './support.js';

const SERVER_ENTRY = fileURLToPath(new URL('../../server/index.ts', import.meta.url));

export interface BenchServerProcess {
  child: ChildProcess;
  url: string;
}

/**
 * `env` adds to the server's configuration; `nodeArgs` go to node (a CPU profile, say); `onLogLine` gets each line
 * the server logs on stdout (JSON lines: it is no terminal), else they are dropped.
 */
export async function startServerProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  onLogLine?: (line: string) => void,
): Promise<BenchServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx/esm', SERVER_ENTRY], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_SECRET,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', onLogLine ? 'pipe' : 'ignore', 'inherit'],
  });
  if (onLogLine && child.stdout) {
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line) onLogLine(line);
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** SIGTERM, and wait for the exit (the server drains as in production). */
export async function stopServerProcess(server: BenchServerProcess): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}
