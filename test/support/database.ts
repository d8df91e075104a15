import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * Creates a fresh, empty database on the test cluster and returns its URL; with `locale`, in that locale (the cluster's
 * own otherwise: the embedded one's is C).
 */
export async function createTestDatabase(prefix = 'test', options: { locale?: string } = {}): Promise<string> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const locale = options.locale ? ` TEMPLATE template0 ENCODING 'UTF8' LOCALE '${options.locale}'` : '';
    await client.query(`CREATE DATABASE ${name}${locale}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
