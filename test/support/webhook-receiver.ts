// A real HTTP receiver on loopback for webhook tests: records every request, answers as the test says (a status, or
// never), and verifies Standard Webhooks signatures with the `standardwebhooks` package (the specification's own
// library, which nobody here wrote), as a receiver would.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

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
 * Verifies a delivery as any Standard Webhooks receiver does (one of the signatures in `webhook-signature` over
 * `${webhook-id}.${webhook-timestamp}.${body}`, keyed by the secret after `whsec_`; the timestamp within five
 * minutes). Returns the parsed body; throws when it does not verify.
 */
export function verifyWebhook(secret: string, request: ReceivedRequest): Record<string, unknown> {
  const headers = Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name] ?? '')]),
  );
  return new Webhook(secret).verify(request.body, headers) as Record<string, unknown>;
}
