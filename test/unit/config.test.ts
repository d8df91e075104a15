import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: resolve('./.data'),
      adminApiKey: undefined,
      leaseSeconds: 60,
      retentionDays: 30,
      eventRetentionHours: 24,
      exportUrlTtlSeconds: 900,
      logLevel: 'info',
    });
  });

  it('listens on every interface with an external database, on localhost with the embedded one', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/sw' }).host).toBe('0.0.0.0');
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db/sw', HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
    expect(loadConfig({ DATABASE_URL: '' }).host).toBe('127.0.0.1');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: '/tmp/sw-data',
      ADMIN_API_KEY: 'a-long-enough-secret',
      LEASE_SECONDS: '1',
      RETENTION_DAYS: '7',
      EVENT_RETENTION_HOURS: '48',
      EXPORT_URL_TTL_SECONDS: '60',
      LOG_LEVEL: 'silent',
    });
    expect(config).toMatchObject({
      port: 0,
      dataDir: '/tmp/sw-data',
      adminApiKey: 'a-long-enough-secret',
      leaseSeconds: 1,
      retentionDays: 7,
      eventRetentionHours: 48,
      exportUrlTtlSeconds: 60,
      logLevel: 'silent',
    });
  });

  it.each([
    ['PORT', '65536', /PORT/],
    ['PORT', 'http', /PORT/],
    ['LEASE_SECONDS', '0', /LEASE_SECONDS/],
    ['LEASE_SECONDS', '1.5', /LEASE_SECONDS/],
    ['RETENTION_DAYS', '-3', /RETENTION_DAYS/],
    ['EVENT_RETENTION_HOURS', 'a day', /EVENT_RETENTION_HOURS/],
    ['EXPORT_URL_TTL_SECONDS', '0', /EXPORT_URL_TTL_SECONDS/],
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL/],
    ['DATABASE_URL', 'mysql://db/sw', /DATABASE_URL/],
    ['DATABASE_READ_URL', 'mysql://replica/sw', /DATABASE_READ_URL/],
    ['DATABASE_READ_URL', 'postgres://replica/sw', /DATABASE_READ_URL needs DATABASE_URL/],
    ['READ_YOUR_WRITES_WAIT_MS', '-1', /READ_YOUR_WRITES_WAIT_MS/],
    ['REPLICA_MAX_LAG_MS', 'soon', /REPLICA_MAX_LAG_MS/],
    ['ADMIN_API_KEY', 'short', /ADMIN_API_KEY/],
  ])('stops on %s=%s with a clear message', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reads a replica only beside DATABASE_URL, with read-your-writes bounded', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/sw', DATABASE_READ_URL: 'postgres://replica/sw' });
    expect(config).toMatchObject({ databaseReadUrl: 'postgres://replica/sw', replicaMaxLagMs: 5_000, readYourWritesWaitMs: 100 });
    expect(loadConfig({}).databaseReadUrl).toBeUndefined();
  });

  it('names the bad value in the message', () => {
    expect(() => loadConfig({ LEASE_SECONDS: 'soon' })).toThrow(/"soon"/);
  });
});
