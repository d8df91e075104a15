// A real syncwatch instance for a test file: its own database, the real HTTP/WebSocket server on a free port.
import { type Config, loadConfig } from '../../server/config.js';
import { Role } from '../../server/domain/enums.js';
import { type Syncwatch, startSyncwatch } from '../../server/instance.js';
import { createLogger, type Logger } from '../../server/logger.js';
import { createTestDatabase } from './database.js';
import { GraphQLClient } from './graphql-client.js';

export const ADMIN_SECRET = 'test-admin-secret-0123456789';

export interface TestServer {
  instance: Syncwatch;
  url: string;
  graphqlUrl: string;
  databaseUrl: string;
  /** A client authenticated with the admin key. */
  admin: GraphQLClient;
  /** Creates a key with this role (and tenant) and returns a client using it. */
  clientFor(role: Role, tenantId?: string | null): Promise<GraphQLClient>;
  stop(): Promise<void>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  options: { databaseUrl?: string; jobs?: boolean; logger?: Logger } = {},
): Promise<TestServer> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const config: Config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_API_KEY: ADMIN_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const instance = await startSyncwatch(config, { logger: options.logger ?? createLogger(config.logLevel), jobs: options.jobs });
  const url = `http://127.0.0.1:${instance.port}`;
  const graphqlUrl = `${url}/graphql`;
  const admin = new GraphQLClient(graphqlUrl, ADMIN_SECRET);
  return {
    instance,
    url,
    graphqlUrl,
    databaseUrl,
    admin,
    async clientFor(role, tenantId = null) {
      const { createApiKey } = await admin.ok<{ createApiKey: { secret: string } }>(
        'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }',
        { input: { name: `${role.toLowerCase()}-${tenantId ?? 'all'}-${Math.random().toString(36).slice(2, 8)}`, role, tenantId } },
      );
      return new GraphQLClient(graphqlUrl, createApiKey.secret);
    },
    stop: () => instance.stop(),
  };
}
