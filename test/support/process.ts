// syncwatch as its own process (`node --import tsx/esm server/index.ts`), for what only a real process shows:
// start failures on stderr, SIGKILL, SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** Set once the server printed its URL. */
  url: string | null;
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines so far. */
  logs(): Record<string, unknown>[];
  /** Exit code (null after a signal) and signal, once exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const spawned = new Set<ServerProcess>();

/** Stops every server process still running (a test that failed before keeping hold of one included). */
export async function stopAllServerProcesses(): Promise<void> {
  const running = [...spawned].filter((server) => server.child.exitCode === null && server.child.signalCode === null);
  for (const server of running) server.child.kill('SIGTERM');
  await Promise.all(running.map((server) => server.exited));
}

/** Starts a server process; resolves once it listens, or once it exited (then `url` is null). */
export async function startServerProcess(env: Record<string, string>, args: string[] = ['--no-demo']): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'server/index.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  const server: ServerProcess = {
    child,
    pid: child.pid as number,
    url: null,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line)),
    exited,
  };
  spawned.add(server);
  void exited.then(() => spawned.delete(server));
  await new Promise<void>((ready) => {
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const listening = server.logs().find((line) => line.msg === 'syncwatch is listening');
      if (listening && !server.url) {
        server.url = listening.url as string;
        ready();
      }
    });
    child.stderr?.on('data', (chunk) => (err += chunk));
    void exited.then(() => ready());
  });
  return server;
}

/** Polls until `check` holds (no timing assertion: the test's own timeout bounds it). */
export async function until(check: () => Promise<boolean> | boolean, everyMs = 100): Promise<void> {
  for (;;) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Whether the process runs (a zombie, exited but not reaped by its new parent, does not). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
