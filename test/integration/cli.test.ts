// The `syncwatch` command run as a child process against a real server: every format parsed back, exit codes a
// script can act on, the prompt's refusal without a terminal, watch's outcome, export's bytes, keys listed without
// secrets, a fired alert listed, acknowledged and its rule muted, tail across a restart.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { type CliResult, cliEnv, ROOT, runCli, startCli, waitFor } from '../support/cli.js';
import { parseCsv } from '../support/csv.js';
import {
  createPipeline,
  eventually,
  finishRun,
  type PipelineView,
  recordInput,
  reportRecords,
  startRun,
  unique,
} from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let operator: GraphQLClient;
let ingest: GraphQLClient;
let pipeline: PipelineView;
const keys: string[] = [ADMIN_SECRET];

const env = (key: string = operator.secret as string, extra: Record<string, string> = {}) => cliEnv(server.url, key, extra);
const cli = (args: string[], key?: string) => runCli(args, env(key));

/** No output of any command shows a key. */
function keyless(result: CliResult): CliResult {
  for (const key of keys) {
    expect(result.stdout).not.toContain(key);
    expect(result.stderr).not.toContain(key);
  }
  return result;
}

const jsonl = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

async function failedRun(name = pipeline.id, failures = 3) {
  const run = await startRun(ingest, name);
  await reportRecords(
    ingest,
    run.id,
    Array.from({ length: failures }, (_, i) =>
      recordInput(unique('src'), { status: 'FAILED', errorCode: 'E_CLI', errorMessage: `boom ${i}` }),
    ),
  );
  return finishRun(ingest, run.id);
}

beforeAll(async () => {
  // Alerts are evaluated every 200 ms, so a failed run's RUN_FAILED alert fires at once.
  server = await startTestServer({ ALERT_EVALUATION_MS: '200' });
  operator = await server.clientFor(Role.OPERATOR);
  ingest = await server.clientFor(Role.INGEST);
  keys.push(operator.secret as string, ingest.secret as string);
  pipeline = await createPipeline(server.admin, { name: unique('cli pipeline') });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('syncwatch', () => {
  it('whoami in every format, the key never printed', async () => {
    const table = keyless(await cli(['whoami']));
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/role\s+OPERATOR/);
    const json = JSON.parse(keyless(await cli(['whoami', '-O', 'json'])).stdout);
    expect(json).toMatchObject({ role: 'OPERATOR', tenantId: null });
    expect(jsonl(keyless(await cli(['whoami', '--output', 'jsonl'])).stdout)).toEqual([json]);
    expect(JSON.parse((await cli(['-O', 'json', 'whoami'])).stdout)).toEqual(json);
    const csv = parseCsv(keyless(await cli(['whoami', '--output', 'csv'])).stdout);
    expect(csv[0]).toEqual(['id', 'name', 'role', 'tenantId']);
    expect(csv[1]).toEqual([json.id, json.name, 'OPERATOR', null]);
  }, 60_000);

  it('login keeps the key in a 0600 profile, read when the environment has none', async () => {
    const home = cliEnv(server.url, null).XDG_CONFIG_HOME as string;
    const secret = operator.secret as string;
    // Piped on stdin, so it is in no process's arguments.
    const login = keyless(
      await runCli(['login', '--url', `${server.url}/graphql`], { ...cliEnv('', null), XDG_CONFIG_HOME: home }, secret),
    );
    expect(login.code).toBe(0);
    expect(login.stderr).toContain('as operator');
    const file = join(home, 'syncwatch', 'profile.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: server.url, apiKey: secret });
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: home };
    const me = keyless(await runCli(['whoami', '-O', 'json'], env));
    expect(JSON.parse(me.stdout).role).toBe('OPERATOR');
    const wrong = await runCli(['login', '--url', server.url], { ...env }, 'wrong-key-0123456789');
    expect(wrong.code).toBe(4);
    expect(JSON.parse(readFileSync(file, 'utf8')).apiKey).toBe(secret); // a refused key is not saved
  }, 60_000);

  it('has fresh generated types (run `npm run codegen:cli`)', { timeout: 180_000 }, async () => {
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        join(ROOT, 'node_modules', '.bin', 'graphql-codegen'),
        ['--config', 'server/cli/codegen.yml', '--check'],
        { cwd: ROOT },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` }),
      );
    });
    expect(result.code, result.output).toBe(0);
  });

  it('a bad key exits 4 with the code printed, and shows no key', async () => {
    const result = await runCli(['runs', 'list'], env('not-a-key-0123456789'));
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: UNAUTHENTICATED: /);
    expect(result.stderr).not.toContain('not-a-key-0123456789');
    const none = await runCli(['whoami'], cliEnv(server.url, null));
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('SYNCWATCH_API_KEY');
  }, 60_000);

  it('usage errors exit 2; --help lists the exit codes', async () => {
    expect((await cli(['nonsense'])).code).toBe(2);
    expect((await cli(['runs', 'list', '--bogus'])).code).toBe(2);
    expect((await cli(['runs', 'list', '--since', 'yesterday'])).code).toBe(2);
    expect((await cli(['runs', 'list', '-O', 'xml'])).code).toBe(2);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect((await cli(['help'])).stdout).toMatch(/^Usage: syncwatch <command>[\s\S]*Exit codes:/);
    expect((await cli(['help', 'retry'])).stdout).toMatch(/^Usage: syncwatch retry /);
    for (const code of ['0  ok', '2  usage', '3  declined', '4  authentication', '5  the watched run', '6  a bulk action'])
      expect(help.stdout).toContain(code);
  }, 60_000);

  it('runs list and get in every format; an empty result is 0; an unknown run is 7', async () => {
    const run = await failedRun();
    const filter = ['--pipeline', pipeline.name];
    const json = JSON.parse(keyless(await cli(['runs', 'list', ...filter, '-O', 'json'])).stdout);
    expect(json.map((r: { id: string }) => r.id)).toContain(run.id);
    expect(json.find((r: { id: string }) => r.id === run.id)).toMatchObject({ status: 'COMPLETED_WITH_ERRORS', counts: { failed: 3 } });
    expect(jsonl((await cli(['runs', 'list', ...filter, '-O', 'jsonl'])).stdout)).toEqual(json);
    const csv = parseCsv((await cli(['runs', 'list', ...filter, '-O', 'csv'])).stdout);
    expect(csv[0]?.slice(0, 4)).toEqual(['id', 'pipeline', 'status', 'mode']);
    expect(csv.slice(1).map((row) => row[0])).toEqual(json.map((r: { id: string }) => r.id));
    const table = await cli(['runs', 'list', ...filter]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+PIPELINE\s+STATUS/);
    expect(table.stdout).toContain(run.id);
    expect(table.stdout).not.toContain('\u001b['); // not a terminal: no colours

    const filtered = JSON.parse((await cli(['runs', 'list', ...filter, '--status', 'succeeded', '-O', 'json'])).stdout);
    expect(filtered).toEqual([]);
    const empty = await cli(['runs', 'list', '--search', 'no-such-run-anywhere']);
    expect(empty).toMatchObject({ code: 0, stdout: '' });

    expect(JSON.parse((await cli(['runs', 'get', run.id, '-O', 'json'])).stdout)).toMatchObject({ id: run.id });
    const missing = await cli(['runs', 'get', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(7);
  }, 60_000);

  it('records, errors and dlq lists parse back', async () => {
    const run = await failedRun();
    const records = JSON.parse((await cli(['records', 'list', '--run', run.id, '-O', 'json'])).stdout);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ status: 'FAILED', errorCode: 'E_CLI', run: { id: run.id } });
    const csv = parseCsv((await cli(['records', 'list', '--run', run.id, '-O', 'csv'])).stdout);
    expect(csv).toHaveLength(4);
    const groups = JSON.parse((await cli(['errors', 'list', '--pipeline', pipeline.name, '-O', 'json'])).stdout);
    expect(groups[0]).toMatchObject({ errorCode: 'E_CLI', state: 'OPEN' });
    const resolved = JSON.parse((await cli(['errors', 'resolve', groups[0].fingerprint, '--note', 'fixed', '-O', 'json'])).stdout);
    expect(resolved.state).toBe('RESOLVED');
    expect(JSON.parse((await cli(['errors', 'reopen', groups[0].fingerprint, '-O', 'json'])).stdout).state).toBe('OPEN');
    const dlq = await cli(['dlq', 'list', '--pipeline', pipeline.name, '-O', 'jsonl']);
    expect(dlq).toMatchObject({ code: 0, stdout: '' });
  }, 60_000);

  it('retry by filter: counts first, refuses without --yes off a terminal and changes nothing; --yes retries', async () => {
    const other = await createPipeline(server.admin, { name: unique('cli retry') });
    const run = await failedRun(other.id, 4);
    const statuses = async () =>
      JSON.parse((await cli(['records', 'list', '--run', run.id, '-O', 'json'])).stdout).map((r: { status: string }) => r.status);
    const refused = keyless(await cli(['retry', '--pipeline', other.name, '--status', 'failed']));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('4 records would be retried');
    expect(refused.stderr).toContain('--yes');
    expect(await statuses()).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);

    const done = await cli(['retry', '--run', run.id, '--reason', 'CRM back up after the outage', '--yes', '-O', 'json']);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ matched: 4, scheduled: 4, skipped: 0 });
    expect(await statuses()).toEqual(['RETRY_SCHEDULED', 'RETRY_SCHEDULED', 'RETRY_SCHEDULED', 'RETRY_SCHEDULED']);
    // --reason goes to the audit log, with the action.
    const { auditLog } = await server.admin.ok<{ auditLog: { edges: { node: { action: string; details: { reason?: string } } }[] } }>(
      '{ auditLog(first: 20) { edges { node { action details } } } }',
    );
    const retried = auditLog.edges.map((e) => e.node).find((entry) => entry.action === 'retryRecords');
    expect(retried?.details.reason).toBe('CRM back up after the outage');
    // Nothing left to retry: said so, exit 0, no question asked.
    const again = await cli(['retry', '--run', run.id]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('0 records would be retried');
    // A retry with neither ids nor filters would touch everything: refused.
    expect((await cli(['retry', '--yes'])).code).toBe(2);
  }, 60_000);

  it('dlq list, replay and discard: counted first, --yes off a terminal', async () => {
    const dead = await createPipeline(server.admin, { name: unique('cli dlq'), retryPolicy: { maxAttempts: 1 } });
    const run = await failedRun(dead.id, 3);
    const listed = JSON.parse((await cli(['dlq', 'list', '--pipeline', dead.name, '-O', 'json'])).stdout);
    expect(listed.map((r: { status: string }) => r.status)).toEqual(['DEAD_LETTERED', 'DEAD_LETTERED', 'DEAD_LETTERED']);
    expect(jsonl((await cli(['dlq', 'list', '--run', run.id, '-O', 'jsonl'])).stdout)).toEqual(listed);
    expect(parseCsv((await cli(['dlq', 'list', '--run', run.id, '-O', 'csv'])).stdout)).toHaveLength(4);

    const refused = await cli(['dlq', 'discard', '--pipeline', dead.name]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('3 dead letters would be discarded');
    const discarded = await cli(['dlq', 'discard', listed[0].id, '--yes', '-O', 'json']);
    expect(discarded.code).toBe(0);
    expect(JSON.parse(discarded.stdout)).toEqual({ discarded: 1 });
    const replayed = await cli(['dlq', 'replay', '--run', run.id, '--yes', '-O', 'csv']);
    expect(replayed.stderr).toContain('2 dead letters would be replayed');
    expect(replayed.code).toBe(0);
    const [header, row] = parseCsv(replayed.stdout);
    expect(header).toEqual(['matched', 'scheduled', 'skipped', 'retryRun']);
    expect(row.slice(0, 3)).toEqual(['2', '2', '0']);
    const after = JSON.parse((await cli(['records', 'list', '--run', run.id, '-O', 'json'])).stdout);
    expect(after.map((r: { status: string }) => r.status).sort()).toEqual(['DISCARDED', 'RETRY_SCHEDULED', 'RETRY_SCHEDULED']);
  }, 60_000);

  it('trigger and cancel; an ingest key may not (4)', async () => {
    const triggered = JSON.parse((await cli(['trigger', pipeline.name, '--mode', 'on_demand', '-O', 'json'])).stdout);
    expect(triggered).toMatchObject({ status: 'QUEUED', mode: 'ON_DEMAND', pipeline: { id: pipeline.id } });
    const cancelled = JSON.parse((await cli(['cancel', triggered.id, '--reason', 'not today', '-O', 'json'])).stdout);
    expect(cancelled.status).toBe('CANCELLED');
    const forbidden = await cli(['trigger', pipeline.id], ingest.secret as string);
    expect(forbidden.code).toBe(4);
    expect(forbidden.stderr).toMatch(/^error: FORBIDDEN: /);
  }, 60_000);

  it('keys create prints the new secret once; revoke ends it', async () => {
    const created = JSON.parse((await cli(['keys', 'create', 'cli reader', '--role', 'viewer', '-O', 'json'], ADMIN_SECRET)).stdout);
    expect(created).toMatchObject({ name: 'cli reader', role: 'VIEWER' });
    expect((await cli(['whoami'], created.secret)).code).toBe(0);
    expect((await cli(['keys', 'revoke', created.id], ADMIN_SECRET)).code).toBe(0);
    expect((await cli(['whoami'], created.secret)).code).toBe(4);
  }, 60_000);

  it('keys list shows id, name, role and tenant of every key, never a secret; ADMIN only', async () => {
    const me = JSON.parse((await cli(['whoami', '-O', 'json'])).stdout);
    const listed = keyless(await cli(['keys', 'list', '-O', 'json'], ADMIN_SECRET));
    expect(listed.code).toBe(0);
    const json = JSON.parse(listed.stdout);
    expect(json).toContainEqual({ id: me.id, name: me.name, role: 'OPERATOR', tenantId: null });
    for (const key of json) expect(Object.keys(key).sort()).toEqual(['id', 'name', 'role', 'tenantId']);
    expect(jsonl(keyless(await cli(['keys', 'list', '-O', 'jsonl'], ADMIN_SECRET)).stdout)).toEqual(json);
    const csv = parseCsv(keyless(await cli(['keys', 'list', '-O', 'csv'], ADMIN_SECRET)).stdout);
    expect(csv[0]).toEqual(['id', 'name', 'role', 'tenant']);
    expect(csv.slice(1).map((row) => row[0])).toEqual(json.map((k: { id: string }) => k.id));
    const table = keyless(await cli(['keys', 'list'], ADMIN_SECRET));
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ROLE\s+TENANT$/);
    expect(table.stdout).toContain(me.id);
    const forbidden = await cli(['keys', 'list']);
    expect(forbidden.code).toBe(4);
    expect(forbidden.stderr).toMatch(/^error: FORBIDDEN: /);
  }, 60_000);

  it('alerts list, ack and mute: a RUN_FAILED alert fired by a failed run', async () => {
    const watched = await createPipeline(server.admin, { name: unique('cli alerts') });
    const { createAlertRule } = await operator.ok<{ createAlertRule: { id: string; name: string } }>(
      'mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id name } }',
      { input: { name: unique('cli rule'), condition: 'RUN_FAILED', pipelineIds: [watched.id], severity: 'CRITICAL' } },
    );
    const ruleId = createAlertRule.id;
    const failed = await startRun(ingest, watched.id);
    await finishRun(ingest, failed.id, { status: 'FAILED', error: 'target down' });
    const ofRule = (stdout: string) => JSON.parse(stdout).filter((a: { rule: { id: string } }) => a.rule.id === ruleId);
    const alert = await eventually(
      async () => ofRule(keyless(await cli(['alerts', 'list', '--state', 'firing', '-O', 'json'])).stdout)[0],
      'the RUN_FAILED alert',
      30_000,
    );
    expect(alert).toMatchObject({
      state: 'FIRING',
      severity: 'CRITICAL',
      rule: { id: ruleId, name: createAlertRule.name },
      pipeline: { id: watched.id, name: watched.name },
      run: { id: failed.id },
      acknowledgedAt: null,
    });
    const all = JSON.parse((await cli(['alerts', 'list', '-O', 'json'])).stdout);
    expect(jsonl((await cli(['alerts', 'list', '-O', 'jsonl'])).stdout)).toEqual(all);
    const csv = parseCsv((await cli(['alerts', 'list', '-O', 'csv'])).stdout);
    expect(csv[0]?.slice(0, 6)).toEqual(['id', 'state', 'severity', 'rule', 'pipeline', 'fired']);
    expect(csv.slice(1).map((row) => row[0])).toEqual(all.map((a: { id: string }) => a.id));
    const table = await cli(['alerts', 'list', '--limit', '1']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATE\s+SEVERITY\s+RULE\s+PIPELINE\s+FIRED\s+SUMMARY$/);
    expect(table.stdout.trim().split('\n')).toHaveLength(2);

    const acked = keyless(await cli(['alerts', 'ack', alert.id, '--note', 'on it', '-O', 'json']));
    expect(acked.code).toBe(0);
    const me = JSON.parse((await cli(['whoami', '-O', 'json'])).stdout);
    expect(JSON.parse(acked.stdout)).toMatchObject({ id: alert.id, state: 'ACKNOWLEDGED', acknowledgedBy: me.name });
    expect(ofRule((await cli(['alerts', 'list', '--state', 'firing', '-O', 'json'])).stdout)).toEqual([]);
    expect(ofRule((await cli(['alerts', 'list', '--state', 'acknowledged,resolved', '-O', 'json'])).stdout)).toHaveLength(1);
    const again = await cli(['alerts', 'ack', alert.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: CONFLICT: /);
    expect((await cli(['alerts', 'ack', '00000000-0000-4000-8000-000000000000'])).code).toBe(7);
    expect((await cli(['alerts', 'ack', alert.id], ingest.secret as string)).code).toBe(4);

    const before = Date.now();
    const muted = keyless(await cli(['alerts', 'mute', ruleId, '--until', '2h', '-O', 'json']));
    expect(muted.code).toBe(0);
    const mutedUntil = Date.parse(JSON.parse(muted.stdout).mutedUntil);
    expect(mutedUntil).toBeGreaterThanOrEqual(before + 7_200_000 - 1_000);
    expect(mutedUntil).toBeLessThanOrEqual(Date.now() + 7_200_000 + 1_000);
    const at = new Date(Date.now() + 86_400_000).toISOString();
    expect(JSON.parse((await cli(['alerts', 'mute', ruleId, '--until', at, '-O', 'json'])).stdout)).toMatchObject({
      id: ruleId,
      mutedUntil: at,
    });
    const { alertRules } = await operator.ok<{ alertRules: { id: string; mutedUntil: string | null }[] }>(
      '{ alertRules { id mutedUntil } }',
    );
    expect(alertRules.find((r) => r.id === ruleId)?.mutedUntil).toBe(at);
    expect((await cli(['alerts', 'mute', ruleId])).code).toBe(2);
    expect((await cli(['alerts', 'mute', ruleId, '--until', 'soon'])).code).toBe(2);
    expect((await cli(['alerts', 'mute', ruleId, '--until', '1000d'])).code).toBe(2); // beyond a year: BAD_USER_INPUT
  }, 120_000);

  it('runs watch exits 0 when the run succeeds and 5 when it fails', async () => {
    const good = await startRun(ingest, pipeline.id);
    const watching = startCli(['runs', 'watch', good.id, '-O', 'json'], env());
    watching.stdin?.end();
    await waitFor(() => watching.output.stderr.includes('watching run'), 'watch to start');
    await reportRecords(ingest, good.id, [recordInput(unique('ok'))]);
    await finishRun(ingest, good.id);
    const ok = await watching.exited;
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ id: good.id, status: 'SUCCEEDED' });

    const bad = await startRun(ingest, pipeline.id);
    const watchingBad = startCli(['runs', 'watch', bad.id], env());
    watchingBad.stdin?.end();
    await waitFor(() => watchingBad.output.stderr.includes('watching run'), 'watch to start');
    await finishRun(ingest, bad.id, { status: 'FAILED', error: 'source down' });
    expect((await watchingBad.exited).code).toBe(5);
    // An ended run answers at once.
    expect((await cli(['runs', 'watch', good.id])).code).toBe(0);
  }, 60_000);

  it('export writes the rows of the API export, to a file or stdout', async () => {
    const run = await failedRun();
    const file = join(mkdtempSync(join(tmpdir(), 'syncwatch-export-')), 'records.csv');
    const result = keyless(await cli(['export', 'records', '--run', run.id, '-o', file]));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const fromCli = parseCsv(readFileSync(file, 'utf8'));

    const { exportRecords } = await operator.ok<{ exportRecords: { id: string } }>(
      'mutation($f: RecordFilter) { exportRecords(filter: $f) { id } }',
      { f: { runIds: [run.id] } },
    );
    let url: string | null = null;
    for (let i = 0; i < 100 && !url; i++) {
      const { exportJob } = await operator.ok<{ exportJob: { downloadUrl: string | null } }>(
        'query($id: ID!) { exportJob(id: $id) { downloadUrl } }',
        {
          id: exportRecords.id,
        },
      );
      url = exportJob.downloadUrl;
      if (!url) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const fromApi = parseCsv(await (await fetch(`${server.url}${url}`)).text());
    expect(fromCli).toEqual(fromApi);
    expect(fromCli).toHaveLength(4);

    const toStdout = await cli(['export', 'runs', '--pipeline', pipeline.name, '--limit', '2']);
    expect(toStdout.code).toBe(0);
    expect(parseCsv(toStdout.stdout)).toHaveLength(3);
  }, 60_000);
});

describe('syncwatch tail', () => {
  it('shows a run reported by another client within a second, resumes across a server restart, exits 0 on Ctrl-C', async () => {
    const own = await startTestServer();
    const port = new URL(own.url).port;
    const ownIngest = await own.clientFor(Role.INGEST);
    const viewer = await own.clientFor(Role.VIEWER);
    const watched = await createPipeline(own.admin, { name: unique('tail') });
    let current = own;
    try {
      const tail = startCli(['tail', '--pipeline', watched.id, '-O', 'jsonl'], cliEnv(own.url, viewer.secret as string));
      tail.stdin?.end();
      await waitFor(() => tail.output.stderr.includes('following runs'), 'tail to start');
      // The subscription stands once the first connection is acknowledged: give it a moment, then report.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const seen = (id: string) => () => jsonl(tail.output.stdout).some((event) => event.run.id === id);
      const first = await startRun(ownIngest, watched.id);
      const reported = Date.now();
      await waitFor(seen(first.id), 'the first run', 5_000);
      expect(Date.now() - reported).toBeLessThan(1_000);

      await own.stop();
      current = await startTestServer({ PORT: port }, { databaseUrl: own.databaseUrl });
      // Reported while the tail may still be reconnecting: `since` brings it.
      const second = await startRun(ownIngest, watched.id);
      await waitFor(seen(second.id), 'the run reported across the restart', 20_000);
      expect(tail.output.stderr).toContain('reconnecting');

      tail.kill('SIGINT');
      const ended = await tail.exited;
      expect(ended.code).toBe(0);
      const ids = jsonl(ended.stdout).map((event) => event.cursor);
      expect(new Set(ids).size).toBe(ids.length); // nothing doubled by the resume
      expect(ended.stdout + ended.stderr).not.toContain(viewer.secret as string);
    } finally {
      await current.stop();
    }
  }, 90_000);
});
