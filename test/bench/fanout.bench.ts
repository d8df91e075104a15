import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startEmbeddedPostgres } from '../../server/db/embedded.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { type BenchServerProcess, startServerProcess, stopServerProcess } from './server-process.js';
import { ADMIN_SECRET, count, heading, percentile, printTable, type SummaryRow } from './support.js';

const STATUS_CHANGES = 40; // paced, one at a time: latency
const BURST_RUNS = 100; // all at once: throughput
let closing = false;
const SUBSCRIPTION = `subscription($filter: RunFilter) {
  runUpdated(filter: $filter) { cursor previousStatus run { id status mode startedAt endedAt counts { total succeeded failed } } }
}`;

/** FANOUT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers. */
const NODE_ARGS = process.env.FANOUT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
/**
 * Every subscriber uses the one viewer key from one address: the per-key socket cap and the rate limits, which guard
 * against one client taking an instance, are raised so the bench measures the fan-out rather than the guard.
 */
const FANOUT_LIMITS = { WS_MAX_SOCKETS_PER_KEY: '100000', RATE_LIMIT_PER_KEY: '10000000', RATE_LIMIT_PER_ADDRESS: '10000000' };
const startInstance = (databaseUrl: string) => startServerProcess(databaseUrl, FANOUT_LIMITS, NODE_ARGS);

/** Resident memory of a process in bytes (Linux). */
function rss(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

interface Delivery {
  runId: string;
  status: string;
  at: number;
}

interface Subscriber {
  socket: WebSocket;
  received: number;
}

/**
 * Opens `total` subscriptions, each on its own socket, spread over the instances. The clients speak
 * graphql-transport-ws over `ws` directly: with thousands of them in one process, a full client per
 * socket would make the bench measure its own event loop rather than the servers.
 */
async function openSubscribers(
  instances: BenchServerProcess[],
  total: number,
  secret: string,
  pipelineId: string,
  onDelivery: (delivery: Delivery) => void,
): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  const subscribe = JSON.stringify({
    id: '1',
    type: 'subscribe',
    payload: { query: SUBSCRIPTION, variables: { filter: { pipelineIds: [pipelineId] } } },
  });
  let ready = 0;
  let failed = 0;
  for (let i = 0; i < total; i++) {
    const instance = instances[i % instances.length];
    // Cheaper per message, as a client that trusts its server may be: no compression offered (the servers do
    // not compress) and no UTF-8 validation (the servers send JSON they encoded themselves). Each message is still parsed.
    const socket = new WebSocket(`${instance.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    const subscriber: Subscriber = { socket, received: 0 };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${secret}` } })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        type: string;
        payload?: { data?: { runUpdated?: { run: { id: string; status: string } } } };
      };
      if (message.type === 'next') {
        const event = message.payload?.data?.runUpdated;
        if (!event) return;
        subscriber.received++;
        onDelivery({ runId: event.run.id, status: event.run.status, at: performance.now() });
      } else if (message.type === 'connection_ack') {
        ready++;
        socket.send(subscribe);
      } else if (message.type === 'error') {
        console.error('subscription failed', JSON.stringify(message.payload));
      }
    });
    socket.on('error', () => {});
    socket.on('close', (code) => {
      if (closing) return;
      failed++;
      console.error('a subscriber was closed:', code);
    });
    subscribers.push(subscriber);
    // At most 100 handshakes in flight: a flood overflows the accept queue and sockets are reset.
    while (i + 1 - ready - failed > 100) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const deadline = Date.now() + 120_000;
  while (ready < total) {
    if (Date.now() > deadline || ready + failed >= total) throw new Error(`only ${ready} of ${total} subscribers connected`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return subscribers;
}

/** Closes every socket and waits until they are gone. */
async function closeSubscribers(subscribers: Subscriber[]): Promise<void> {
  await Promise.all(
    subscribers.map(
      ({ socket }) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close(1000);
        }),
    ),
  );
}

async function measureSize(
  instances: BenchServerProcess[],
  total: number,
  ingest: GraphQLClient,
  viewerSecret: string,
  admin: GraphQLClient,
) {
  const { createPipeline } = await admin.ok<{ createPipeline: { id: string } }>(
    'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
    { input: { name: `fanout ${total} ${Date.now()}`, sourceSystem: 'erp', targetSystem: 'shop' } },
  );
  const pipelineId = createPipeline.id;
  const memoryBefore = instances.map((i) => rss(i.child.pid as number));

  // The commit happens between sending the mutation and receiving its answer: latency from the send is an
  // upper bound on commit → delivery, from the answer a lower bound.
  const sentAt = new Map<string, number>();
  const answeredAt = new Map<string, number>();
  const deliveredAt = new Map<string, number[]>();
  let burstDeliveries = 0;
  let lastDelivery = 0;
  let measuring = false;
  const subscribers = await openSubscribers(instances, total, viewerSecret, pipelineId, (delivery) => {
    lastDelivery = delivery.at;
    if (!measuring) {
      burstDeliveries++;
      return;
    }
    const key = `${delivery.runId}:${delivery.status}`;
    if (!sentAt.has(key)) return;
    const list = deliveredAt.get(key) ?? [];
    list.push(delivery.at);
    deliveredAt.set(key, list);
  });
  // Let every subscription reach the server before measuring.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const memoryAfter = instances.map((i) => rss(i.child.pid as number));
  const perSubscriber = memoryAfter.reduce((sum, m, i) => sum + (m - memoryBefore[i]), 0) / total;

  // Latency: status changes one at a time, alternating the instance that takes the write.
  measuring = true;
  const writers = instances.map((i) => new GraphQLClient(`${i.url}/graphql`, ingest.secret));
  for (let i = 0; i < STATUS_CHANGES; i++) {
    const writer = writers[i % writers.length];
    const { startRun } = await writer.ok<{ startRun: { id: string } }>(
      'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
      { input: { pipelineId, mode: 'SCHEDULED' } },
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    const key = `${startRun.id}:SUCCEEDED`;
    sentAt.set(key, performance.now());
    await writer.ok('mutation($id: ID!) { finishRun(runId: $id) { status } }', { id: startRun.id });
    answeredAt.set(key, performance.now());
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  measuring = false;
  const expected = STATUS_CHANGES * total;

  // Throughput: a burst of runs started and finished at once; deliveries per second until the last arrives.
  burstDeliveries = 0;
  const burstStart = performance.now();
  const runs = await Promise.all(
    Array.from({ length: BURST_RUNS }, (_, i) =>
      writers[i % writers.length].ok<{ startRun: { id: string } }>('mutation($input: StartRunInput!) { startRun(input: $input) { id } }', {
        input: { pipelineId, mode: 'SCHEDULED' },
      }),
    ),
  );
  await Promise.all(
    runs.map(({ startRun }, i) =>
      writers[i % writers.length].ok('mutation($id: ID!) { finishRun(runId: $id) { status } }', { id: startRun.id }),
    ),
  );
  const burstExpected = BURST_RUNS * 2 * total;
  const burstDeadline = Date.now() + 120_000;
  while (burstDeliveries < burstExpected && Date.now() < burstDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const burstSeconds = (lastDelivery - burstStart) / 1000;
  if (burstDeliveries < burstExpected) console.error(`burst: ${count(burstDeliveries)} of ${count(burstExpected)} deliveries arrived`);
  closing = true;

  await closeSubscribers(subscribers);
  closing = false;
  const upper: number[] = [];
  const lower: number[] = [];
  for (const [key, times] of deliveredAt) {
    for (const at of times) {
      upper.push(at - (sentAt.get(key) as number));
      lower.push(Math.max(0, at - (answeredAt.get(key) as number)));
    }
  }
  upper.sort((x, y) => x - y);
  lower.sort((x, y) => x - y);
  return {
    total,
    samples: upper.length,
    expected,
    p50: percentile(upper, 50),
    p99: percentile(upper, 99),
    max: upper.at(-1) ?? Number.NaN,
    p50Lower: percentile(lower, 50),
    p99Lower: percentile(lower, 99),
    deliveriesPerSecond: burstDeliveries / burstSeconds,
    burstComplete: burstDeliveries >= burstExpected,
    perSubscriberBytes: perSubscriber,
  };
}

export async function runFanoutBench(): Promise<SummaryRow[]> {
  const sizes = (process.env.FANOUT_SIZES ?? '2000,10000').split(',').map(Number);
  heading(`Fan-out: runUpdated over two server processes, ${sizes.map(count).join(' / ')} subscribers`);
  const dir = mkdtempSync(join(tmpdir(), 'syncwatch-fanout-pg-'));
  const database = await startEmbeddedPostgres(dir, { persistent: false });
  const instances: BenchServerProcess[] = [];
  try {
    await database.createDatabase('fanout');
    const databaseUrl = database.urlFor('fanout');
    instances.push(await startInstance(databaseUrl));
    instances.push(await startInstance(databaseUrl));
    const admin = new GraphQLClient(`${instances[0].url}/graphql`, ADMIN_SECRET);
    const key = async (role: string) =>
      (
        await admin.ok<{ createApiKey: { secret: string } }>('mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }', {
          input: { name: `fanout-${role.toLowerCase()}`, role },
        })
      ).createApiKey.secret;
    const ingest = new GraphQLClient(`${instances[0].url}/graphql`, await key('INGEST'));
    const viewer = await key('VIEWER');

    const results = [];
    for (const [index, size] of sizes.entries()) {
      if (index > 0) {
        // Fresh processes per size: memory a process once took is not given back, so deltas need a clean start.
        await Promise.all(instances.splice(0).map(stopServerProcess));
        instances.push(await startInstance(databaseUrl), await startInstance(databaseUrl));
      }
      const writer = new GraphQLClient(`${instances[0].url}/graphql`, ingest.secret);
      results.push(await measureSize(instances, size, writer, viewer, new GraphQLClient(`${instances[0].url}/graphql`, ADMIN_SECRET)));
    }
    printTable(
      ['subscribers', 'per instance', 'deliveries', 'p50', 'p99', 'max', 'deliveries/s (burst)', 'memory / subscriber'],
      results.map((r) => [
        count(r.total),
        count(r.total / instances.length),
        `${count(r.samples)} / ${count(r.expected)}`,
        `${r.p50Lower.toFixed(1)}–${r.p50.toFixed(1)} ms`,
        `${r.p99Lower.toFixed(1)}–${r.p99.toFixed(1)} ms`,
        `${r.max.toFixed(1)} ms`,
        `${count(Math.round(r.deliveriesPerSecond))}${r.burstComplete ? '' : ' (incomplete)'}`,
        `${(r.perSubscriberBytes / 1024).toFixed(1)} KB`,
      ]),
    );
    console.log(
      'latency: commit → delivery lies between (mutation answered → delivered) and (mutation sent → delivered); the target is checked on the upper one',
    );
    return results.flatMap((r) => {
      const perInstance = r.total / instances.length;
      const target = perInstance >= 5_000 ? 400 : 150;
      return [
        {
          measure: `fan-out p99, ${count(perInstance)} subscribers/instance`,
          value: `${r.p99.toFixed(1)} ms (p50 ${r.p50.toFixed(1)} ms)`,
          target: perInstance <= 1_000 || perInstance >= 5_000 ? `≤ ${target} ms` : undefined,
          met: perInstance <= 1_000 || perInstance >= 5_000 ? r.p99 <= target && r.samples === r.expected : undefined,
        },
        { measure: `fan-out deliveries/s, ${count(r.total)} subscribers`, value: `${count(Math.round(r.deliveriesPerSecond))}/s` },
        {
          measure: `fan-out memory per subscriber, ${count(r.total)} subscribers`,
          value: `${(r.perSubscriberBytes / 1024).toFixed(1)} KB`,
          target: '≤ 50 KB',
          met: r.perSubscriberBytes <= 50 * 1024,
        },
      ];
    });
  } finally {
    await Promise.all(instances.map(stopServerProcess));
    await database.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runFanoutBench().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
