// Faults survived by instances sharing one database, each its own process: the leader SIGKILLed (another takes the
// background work), a server SIGKILLed mid-run (its run ends FAILED by lease, what it acknowledged is kept).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.js';
import { createPipeline, getRun, type PipelineView, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { pidAlive, type ServerProcess, startServerProcess, stopAllServerProcesses, until } from '../support/process.js';
import { ADMIN_SECRET } from '../support/server.js';

let databaseUrl: string;
const servers: ServerProcess[] = [];
let pipeline: PipelineView;

async function start(): Promise<ServerProcess> {
  const server = await startServerProcess({
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    ADMIN_API_KEY: ADMIN_SECRET,
    LEASE_SECONDS: '2',
    LOG_LEVEL: 'info',
  });
  servers.push(server);
  if (!server.url) throw new Error(`the server did not start: ${server.stderr()}`);
  return server;
}

async function isLeader(server: ServerProcess): Promise<boolean> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return /^syncwatch_leader 1$/m.test(text);
}

const admin = (server: ServerProcess) => new GraphQLClient(`${server.url}/graphql`, ADMIN_SECRET);

beforeAll(async () => {
  databaseUrl = await createTestDatabase('faults');
});
afterAll(stopAllServerProcesses);

it('the leader SIGKILLed: the other instance takes the background work, never both at once', async () => {
  const first = await start(); // runs the migrations alone
  const second = await start();
  pipeline = await createPipeline(admin(first));
  let leaders: boolean[] = [];
  await until(async () => {
    leaders = await Promise.all([isLeader(first), isLeader(second)]);
    return leaders.includes(true);
  });
  expect(leaders.filter(Boolean)).toHaveLength(1);
  const [leader, other] = leaders[0] ? [first, second] : [second, first];

  leader.child.kill('SIGKILL');
  await leader.exited;
  const killedAt = Date.now();
  await until(() => isLeader(other));
  const takeoverMs = Date.now() - killedAt;
  console.info(`[ops] leader takeover after SIGKILL: ${takeoverMs} ms`);
}, 120_000);

it('a server SIGKILLed mid-run: the run ends FAILED by lease on the surviving instance, acknowledged records kept', async () => {
  const survivor = servers.find((server) => pidAlive(server.pid)) as ServerProcess;
  const doomed = await start();
  const client = admin(doomed);
  const run = await startRun(client, pipeline.id);
  const acknowledged = await reportRecords(
    client,
    run.id,
    Array.from({ length: 25 }, (_, i) => recordInput(`kill-${i}`)),
  );
  expect(acknowledged.accepted).toBe(25);
  doomed.child.kill('SIGKILL');
  await doomed.exited;

  const killedAt = Date.now();
  let after = await getRun(admin(survivor), run.id);
  await until(async () => {
    after = await getRun(admin(survivor), run.id);
    return after?.status === 'FAILED';
  });
  console.info(`[ops] run FAILED by lease after its server's SIGKILL: ${Date.now() - killedAt} ms (lease 2 s)`);
  expect(after?.counts.total).toBe(25);
  expect(after?.error).toEqual(expect.any(String));
}, 120_000);
