// A first start that reads well (issue 23): `node server/index.ts` on a real terminal (tmux) prints its address
// block, then only warnings and errors in short lines, however many requests it serves; LOG_LEVEL still decides when
// set; with stdout not a terminal (containers, CI) the log stays JSON lines at info. Skipped where tmux is missing.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/cli.js';
import { createTestDatabase } from '../support/database.js';
import { startServerProcess, stopAllServerProcesses } from '../support/process.js';

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const ROOT = resolve(import.meta.dirname, '../..');
const SOCKET = `syncwatch-start-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
let sessions = 0;

/** The server started in a fresh tmux window (a terminal 200 columns wide); its screen, and a way to stop it. */
function serverInTerminal(env: Record<string, string>) {
  const name = `s${++sessions}`;
  // LOG_LEVEL is left out unless given: the test runner's own must not decide.
  const vars = { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', ...env };
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    '200',
    '-y',
    '50',
    '-c',
    ROOT,
    ...Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    `env -u LOG_LEVEL ${Object.keys(env).includes('LOG_LEVEL') ? `LOG_LEVEL=${env.LOG_LEVEL}` : ''} ${process.execPath} --import tsx/esm server/index.ts --no-demo; echo EXIT=$?; sleep 60`,
  );
  const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', name);
  return {
    screen,
    /** The GraphQL address the start printed, once it did. */
    async graphqlUrl(): Promise<string> {
      await waitFor(() => /GraphQL:\s+http\S+/.test(screen()) || screen().includes('EXIT='), 'the address block', 60_000);
      const found = /GraphQL:\s+(http\S+)/.exec(screen());
      if (!found) throw new Error(`no address on the screen:\n${screen()}`);
      return found[1];
    },
    stop: async () => {
      tmux('send-keys', '-t', name, 'C-c');
      await waitFor(() => screen().includes('EXIT='), 'the server to stop', 20_000);
    },
  };
}

/** Some ordinary traffic: each request is an info line of the request log. */
async function requests(graphqlUrl: string, n: number) {
  for (let i = 0; i < n; i++) {
    await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
  }
}

afterAll(async () => {
  try {
    if (hasTmux) tmux('kill-server');
  } catch {
    // no session was started
  }
  await stopAllServerProcesses();
});

describe.skipIf(!hasTmux)('npm start on a terminal', () => {
  it('prints the address block, then only warnings and errors, never a JSON line', async () => {
    const server = serverInTerminal({ DATABASE_URL: await createTestDatabase('start_tty') });
    const graphqlUrl = await server.graphqlUrl();
    await requests(graphqlUrl, 30);
    // A request that makes the server warn is not easy to make on purpose; a stop logs at info, and is not shown.
    await server.stop();
    const screen = server.screen();
    expect(screen).toContain('first admin API key (shown once): sw_');
    expect(screen).toMatch(/syncwatch dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    expect(screen).not.toContain('{"level"');
    expect(screen).not.toMatch(/\bINFO\b/);
    expect(screen).not.toContain('POST /graphql');
    expect(screen).toContain('EXIT=0');
  }, 90_000);

  it('shows the level LOG_LEVEL names, in short lines', async () => {
    const server = serverInTerminal({ DATABASE_URL: await createTestDatabase('start_tty'), LOG_LEVEL: 'info' });
    const graphqlUrl = await server.graphqlUrl();
    await requests(graphqlUrl, 3);
    await waitFor(() => server.screen().includes('POST /graphql done'), 'the request lines');
    await server.stop();
    const lines = server.screen().split('\n');
    const request = lines.find((line) => line.includes('POST /graphql done')) as string;
    expect(request).toMatch(/^\d\d:\d\d:\d\d INFO {2}POST \/graphql done {2}reqId=\S+ .*res=\{"statusCode":200\}/);
    expect(server.screen()).not.toContain('{"level"');
  }, 90_000);
});

describe('npm start elsewhere (containers, CI)', () => {
  it('keeps JSON lines at info', async () => {
    const server = await startServerProcess({ DATABASE_URL: await createTestDatabase('start_pipe'), LOG_LEVEL: '' });
    expect(server.url).not.toBeNull();
    await requests(`${server.url}/graphql`, 3);
    await waitFor(() => server.logs().some((line) => line.msg === 'POST /graphql done'), 'the request lines');
    const text = server.stdout();
    // Every line of the log is JSON: no address block in a container's log.
    expect(text.split('\n').filter((line) => line.trim() && !line.startsWith('{') && !line.includes('first admin API key'))).toEqual([]);
    expect(server.logs().find((line) => line.msg === 'POST /graphql done')).toMatchObject({ level: 'info' });
    server.child.kill('SIGTERM');
    await server.exited;
  }, 90_000);
});
