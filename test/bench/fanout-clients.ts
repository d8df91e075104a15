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

function open(index: number): void {
  const instance = index % options.urls.length;
  // Cheaper per message, as a client that trusts its server may be: no compression offered (the servers do
  // not compress) and no UTF-8 validation (the servers send JSON they encoded themselves). Each message is still parsed.
  const socket = new WebSocket(`${options.urls[instance].replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
  sockets.push(socket);
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${options.secret}` } })));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as {
      type: string;
      payload?: { data?: { runUpdated?: { run: { id: string; status: string } } } };
    };
    if (message.type === 'next') {
      const run = message.payload?.data?.runUpdated?.run;
      if (!run) return;
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
