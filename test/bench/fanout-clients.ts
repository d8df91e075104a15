// The fan-out bench's subscribers, in a process of their own: one process may hold at most `ulimit -n` sockets
// (20,000 here, not raisable), so the bench forks several of these. Started by `fork` with one JSON argument:
//   { urls: string[], secret, pipelineId, first, count, inFlight }
// subscriber i (counted from `first` over every process) connects to urls[i % urls.length].
// The clients speak graphql-transport-ws over `ws` directly: a full client per socket would make the bench
// measure its own event loop rather than the servers.
//
// Messages to the bench (process.send):   { type: 'ready' } | { type: 'failed', message }
//   | { type: 'burst', delivered, lastAt } | { type: 'report', deliveries } | { type: 'closed' }
// Messages from the bench:                 { type: 'burst' } (count from now on) | { type: 'progress' } (both answered
//   with the burst's progress)
//   | { type: 'report', keys } | { type: 'close' }
// Times are milliseconds since the epoch with fractions (performance.timeOrigin + performance.now()), comparable
// between the processes of one machine.
import WebSocket from 'ws';

interface Options {
  urls: string[];
  secret: string;
  pipelineId: string;
  first: number;
  count: number;
  inFlight: number;
}

type Command = { type: 'burst' } | { type: 'progress' } | { type: 'report'; keys: string[] } | { type: 'close' };

const SUBSCRIPTION = `subscription($filter: RunFilter) {
  runUpdated(filter: $filter) { cursor previousStatus run { id status mode startedAt endedAt counts { total succeeded failed } } }
}`;

const options = JSON.parse(process.argv[2]) as Options;
const send = (message: object) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();

/** Per instance: `runId:status` → the times each of its subscribers received it (before the burst). */
const deliveries = options.urls.map(() => new Map<string, number[]>());
let counting = false;
let burstDelivered = 0;
let lastAt = 0;
let closing = false;
const sockets: WebSocket[] = [];

const subscribe = JSON.stringify({
  id: '1',
  type: 'subscribe',
  payload: { query: SUBSCRIPTION, variables: { filter: { pipelineIds: [options.pipelineId] } } },
});
let ready = 0;
let failed = 0;

const NEXT = '"type":"next"';
const RUN_ID = '"run":{"id":"';
const STATUS = '"status":"';

/**
 * The run of a `next` message, read from its text without parsing it whole (null for any other message). The
 * subscribers share the servers' 2 cores, where real clients would not: parsing every message whole was 40 % of a
 * client process's busy time (CPU profile, 4 processes at 20,000), CPU the servers being measured then lacked.
 * The text is the server's own: {"id":…,"type":"next","payload":{"data":{"runUpdated":{"cursor":…,"previousStatus":…,
 * "run":{"id":"<uuid>","status":"<status>",…
 */
function nextRun(data: Buffer): { id: string; status: string } | null {
  const type = data.indexOf(NEXT);
  if (type < 0 || type > 64) return null;
  const id = data.indexOf(RUN_ID, type);
  if (id < 0) return null;
  const idStart = id + RUN_ID.length;
  const idEnd = data.indexOf('"', idStart);
  const status = data.indexOf(STATUS, idEnd) + STATUS.length;
  return { id: data.toString('latin1', idStart, idEnd), status: data.toString('latin1', status, data.indexOf('"', status)) };
}

function open(index: number): void {
  const instance = index % options.urls.length;
  // Cheaper per message, as a client that trusts its server may be: no compression offered (the servers do
  // not compress) and no UTF-8 validation (the servers send JSON they encoded themselves).
  const socket = new WebSocket(`${options.urls[instance].replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
  sockets.push(socket);
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${options.secret}` } })));
  socket.on('message', (data: Buffer) => {
    const run = nextRun(data);
    if (run) {
      const at = now();
      lastAt = at;
      if (counting) {
        burstDelivered++;
        return;
      }
      const key = `${run.id}:${run.status}`;
      const times = deliveries[instance].get(key);
      if (times) times.push(at);
      else deliveries[instance].set(key, [at]);
      return;
    }
    const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
    if (message.type === 'connection_ack') {
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
}

// The bench gone (it failed or was stopped): no one to report to.
process.on('disconnect', () => process.exit(0));

process.on('message', (command: Command) => {
  if (command.type === 'burst') counting = true;
  if (command.type === 'burst' || command.type === 'progress') {
    send({ type: 'burst', delivered: burstDelivered, lastAt });
  } else if (command.type === 'report') {
    send({
      type: 'report',
      deliveries: deliveries.map((byKey) => Object.fromEntries(command.keys.map((key) => [key, byKey.get(key) ?? []]))),
    });
  } else if (command.type === 'close') {
    closing = true;
    void Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === WebSocket.CLOSED) return resolve();
            socket.once('close', () => resolve());
            socket.close(1000);
          }),
      ),
    ).then(() => {
      send({ type: 'closed' });
      process.disconnect();
    });
  }
});

for (let i = 0; i < options.count; i++) {
  open(options.first + i);
  // A bounded number of handshakes in flight: a flood overflows the servers' accept queues and sockets are reset.
  while (i + 1 - ready - failed > options.inFlight) await new Promise((resolve) => setTimeout(resolve, 10));
}
const deadline = Date.now() + 180_000;
while (ready < options.count && ready + failed < options.count && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 100));
}
send(ready === options.count ? { type: 'ready' } : { type: 'failed', message: `only ${ready} of ${options.count} subscribers connected` });
