// A real HTTP receiver on loopback for webhook tests: records every request, answers as the test says (a status, or
// never), and verifies Standard Webhooks signatures with node:crypto, written here from the specification and not
// from the server's code.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** The status to answer the n-th request (from 0) with, or 'hang' to never answer. */
export type Answer = (n: number, request: ReceivedRequest) => number | 'hang';

export interface Receiver {
  url: string;
  port: number;
  received: ReceivedRequest[];
  answer: Answer;
  /** Waits until `count` requests have come. */
  until(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(answer: Answer = () => 200): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const receiver = { received, answer } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const n = received.length;
      received.push(request);
      const status = receiver.answer(n, request);
      if (status === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  receiver.port = port;
  receiver.url = `http://127.0.0.1:${port}/hook`;
  receiver.until = async (count, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (received.length < count) {
      if (Date.now() > deadline) throw new Error(`receiver: gave up waiting for ${count} requests, have ${received.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return received;
  };
  receiver.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

/**
 * Standard Webhooks verification: some signature in `webhook-signature` (space-separated `v1,<base64>`) equals the
 * base64 HMAC-SHA256 of `${webhook-id}.${webhook-timestamp}.${body}` keyed by the base64 after `whsec_`, and the
 * timestamp is within 5 minutes. Returns the parsed body; throws when it does not verify.
 */
export function verifyWebhook(secret: string, request: ReceivedRequest): Record<string, unknown> {
  const id = String(request.headers['webhook-id'] ?? '');
  const timestamp = String(request.headers['webhook-timestamp'] ?? '');
  const signatures = String(request.headers['webhook-signature'] ?? '').split(' ');
  if (!id || !/^\d+$/.test(timestamp)) throw new Error('missing webhook-id or webhook-timestamp');
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) throw new Error('timestamp too far from now');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest();
  const ok = signatures.some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new Error('no signature matches');
  return JSON.parse(request.body) as Record<string, unknown>;
}
