import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('a fresh server', () => {
  it('answers me with the admin key', async () => {
    const data = await server.admin.ok<{ me: { role: string } }>('{ me { role } }');
    expect(data.me.role).toBe('ADMIN');
  });
});
