// `syncwatch` on a real terminal (tmux): the y/N prompt (declined changes nothing and exits 3), colours only there and
// never with NO_COLOR, and export's progress bar on stderr. Skipped where tmux is not installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { BIN, cliEnv, emptyConfigHome, runCli, waitFor } from '../support/cli.js';
import { createPipeline, finishRun, type PipelineView, recordInput, reportRecords, startRun, unique } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** An SGR escape: a colour or bold. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);

const SOCKET = `syncwatch-cli-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });

let server: TestServer;
let operator: GraphQLClient;
let pipeline: PipelineView;
let sessions = 0;

/** Runs the command in a fresh tmux window; the shell prints EXIT=<code> when it ends. */
function inTerminal(
  args: string[],
  extraEnv: Record<string, string> = {},
  width = 160,
): { screen(escapes?: boolean): string; keys(...keys: string[]): void } {
  const name = `s${++sessions}`;
  const env = { XDG_CONFIG_HOME: emptyConfigHome(), SYNCWATCH_URL: server.url, SYNCWATCH_API_KEY: operator.secret as string, ...extraEnv };
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(width),
    '-y',
    '40',
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    `${process.execPath} ${BIN} ${quoted}; echo EXIT=$?; sleep 60`,
  );
  return {
    screen: (escapes = false) => tmux('capture-pane', '-p', '-J', ...(escapes ? ['-e'] : []), '-t', name),
    keys: (...keys: string[]) => void tmux('send-keys', '-t', name, ...keys),
  };
}

async function failedRun(failures: number) {
  const ingest = await server.clientFor(Role.INGEST);
  const run = await startRun(ingest, pipeline.id);
  await reportRecords(
    ingest,
    run.id,
    Array.from({ length: failures }, () => recordInput(unique('src'), { status: 'FAILED', errorCode: 'E_TTY' })),
  );
  return finishRun(ingest, run.id);
}

describe.skipIf(!hasTmux)('syncwatch on a terminal', () => {
  beforeAll(async () => {
    server = await startTestServer();
    operator = await server.clientFor(Role.OPERATOR);
    pipeline = await createPipeline(server.admin, { name: unique('tty') });
  }, 120_000);

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // no session was started
    }
    await server?.stop();
  });

  const statuses = async (runId: string) =>
    JSON.parse((await runCli(['records', 'list', '--run', runId, '-O', 'json'], cliEnv(server.url, operator.secret))).stdout).map(
      (r: { status: string }) => r.status,
    );

  it('asks y/N: declined changes nothing and exits 3; yes retries', async () => {
    const run = await failedRun(2);
    const declined = inTerminal(['retry', '--run', run.id]);
    await waitFor(() => declined.screen().includes('[y/N]'), 'the prompt');
    expect(declined.screen()).toContain('2 records would be retried');
    declined.keys('n', 'Enter');
    await waitFor(() => declined.screen().includes('EXIT='), 'the command to end');
    expect(declined.screen()).toContain('EXIT=3');
    expect(await statuses(run.id)).toEqual(['FAILED', 'FAILED']);

    // Ctrl-C at the question is a no.
    const interrupted = inTerminal(['retry', '--run', run.id]);
    await waitFor(() => interrupted.screen().includes('[y/N]'), 'the prompt');
    interrupted.keys('C-c');
    await waitFor(() => interrupted.screen().includes('EXIT='), 'the command to end');
    expect(interrupted.screen()).toContain('EXIT=3');
    expect(await statuses(run.id)).toEqual(['FAILED', 'FAILED']);

    const accepted = inTerminal(['retry', '--run', run.id]);
    await waitFor(() => accepted.screen().includes('[y/N]'), 'the prompt');
    accepted.keys('y', 'Enter');
    await waitFor(() => accepted.screen().includes('EXIT='), 'the command to end');
    expect(accepted.screen()).toContain('EXIT=0');
    expect(await statuses(run.id)).toEqual(['RETRY_SCHEDULED', 'RETRY_SCHEDULED']);
  }, 60_000);

  it('colours on a terminal, none with NO_COLOR', async () => {
    await failedRun(1);
    const coloured = inTerminal(['runs', 'list', '--pipeline', pipeline.id]);
    await waitFor(() => coloured.screen().includes('EXIT='), 'the list');
    expect(coloured.screen(true)).toMatch(ANSI);
    const plain = inTerminal(['runs', 'list', '--pipeline', pipeline.id], { NO_COLOR: '1' });
    await waitFor(() => plain.screen().includes('EXIT='), 'the list');
    expect(plain.screen()).toContain('COMPLETED_WITH_ERRORS');
    expect(plain.screen(true)).not.toMatch(ANSI);
    // Sized to the terminal: no line wraps on a narrow one.
    const narrow = inTerminal(['runs', 'list', '--pipeline', pipeline.id], {}, 70);
    await waitFor(() => narrow.screen().includes('EXIT='), 'the list');
    const lines = narrow
      .screen()
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('EXIT='));
    expect(lines[0]).toMatch(/^ID\s+PIPELINE\s+STATUS/);
    expect(lines[1]).toContain('…');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(70);
  }, 60_000);

  it('export draws a progress bar on the terminal, the file gets only the CSV', async () => {
    const run = await failedRun(5);
    const file = join(mkdtempSync(join(tmpdir(), 'syncwatch-tty-')), 'out.csv');
    const exporting = inTerminal(['export', 'records', '--run', run.id, '-o', file]);
    await waitFor(() => exporting.screen().includes('EXIT='), 'the export');
    expect(exporting.screen()).toContain('EXIT=0');
    expect(exporting.screen()).toMatch(/\[#+\] 5\/5 rows/);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toMatch(/^run id,pipeline/);
  }, 60_000);
});
