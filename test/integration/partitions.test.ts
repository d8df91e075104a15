// Time partitions of the event table (docs/scaling.md): an installation with events migrates keeping every one of
// them, the leader makes the days ahead, strays of the default partition move into their day, expiry drops whole
// days, and a read bounded in time plans only the partitions its range needs.
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../server/db/data-source.js';
import { EventPartitions1700000002700 } from '../../server/db/migrations/1700000002700-EventPartitions.js';
import { createLogger } from '../../server/logger.js';
import { DAYS_AHEAD, EVENTS_TABLE } from '../../server/services/housekeeping/partitions.js';
import { IS_RETAINED_SQL } from '../../server/sql/events.js';
import { createTestDatabase } from '../support/database.js';
import { createPipeline, eventually, startRun } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY_MS = 86_400_000;
const OLD_EVENTS = 500;

let databaseUrl: string;
let server: TestServer;
let sql: pg.Client;
const logLines: string[] = [];

const utcDay = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + offsetDays * DAY_MS);
const dayName = (offsetDays: number) => `events_p${utcDay(offsetDays).toISOString().slice(0, 10).replaceAll('-', '')}`;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  // An installation from before the partitions, with a history of events (the newest a minute old, the oldest 20 h).
  const before = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    migrations: migrations.filter((m) => m !== EventPartitions1700000002700),
  });
  await before.initialize();
  await before.runMigrations({ transaction: 'all' });
  await before.query(
    `INSERT INTO events (kind, at, payload)
     SELECT 'run', now() - interval '1 minute' - make_interval(secs => i * 144), jsonb_build_object('n', i)
     FROM generate_series(1, ${OLD_EVENTS}) i`,
  );
  await before.destroy();
  server = await startTestServer({}, { databaseUrl, jobs: false, logger: createLogger('info', (line) => logLines.push(line)) });
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await server?.stop();
});

async function partitionNames(): Promise<string[]> {
  return (await server.instance.services.partitions.partitions('events')).map((p) => p.name);
}

describe('event partitions', () => {
  it('migrates an installation with events: every event kept once, the old table a partition, new ids after its ids', async () => {
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, min(id)::int AS first, max(id)::int AS last,
              sum((payload->>'n')::int)::int AS sum FROM events`,
    );
    expect(rows[0]).toEqual({ n: OLD_EVENTS, ids: OLD_EVENTS, first: 1, last: OLD_EVENTS, sum: (OLD_EVENTS * (OLD_EVENTS + 1)) / 2 });
    expect(await partitionNames()).toEqual(['events_default', 'events_before_partitions']);
    const { rows: added } = await sql.query(`INSERT INTO events (kind) VALUES ('run') RETURNING id::int AS id`);
    expect(added[0].id).toBe(OLD_EVENTS + 1);
    await sql.query('DELETE FROM events WHERE id = $1', [added[0].id]);

    // Start-up says what it applied and how long it took.
    const applied = logLines.map((line) => JSON.parse(line)).find((line) => line.msg === 'migrations applied');
    expect(applied).toMatchObject({ migrations: ['EventPartitions1700000002700'], ms: expect.any(Number) });
  });

  it('makes today and the days ahead, the first one starting where the old table ends, moving the strays of its range', async () => {
    // Written while no leader ran: the default partition has it until its day is made.
    await sql.query(`INSERT INTO events (kind, payload) VALUES ('run', '{"stray": true}')`);
    expect((await sql.query('SELECT count(*)::int AS n FROM events_default')).rows[0].n).toBe(1);

    const made = await server.instance.services.partitions.createAhead();
    expect(made).toEqual(Array.from({ length: DAYS_AHEAD + 1 }, (_, n) => dayName(n)));
    expect((await sql.query('SELECT count(*)::int AS n FROM events_default')).rows[0].n).toBe(0);
    const { rows } = await sql.query(`SELECT tableoid::regclass::text AS partition FROM events WHERE payload ? 'stray'`);
    expect(rows).toEqual([{ partition: dayName(0) }]);

    const partitions = await server.instance.services.partitions.partitions('events');
    const old = partitions.find((p) => p.name === 'events_before_partitions');
    const today = partitions.find((p) => p.name === dayName(0));
    expect(today?.from).toEqual(old?.to);
    expect(today?.to).toEqual(utcDay(1));
    expect(partitions.find((p) => p.name === dayName(DAYS_AHEAD))?.to).toEqual(utcDay(DAYS_AHEAD + 1));

    // Made already: a second round makes none.
    expect(await server.instance.services.partitions.createAhead()).toEqual([]);
  });

  it('expires whole days: the old table once its whole range is past, recent events kept', async () => {
    const { rows: before } = await sql.query(`SELECT count(*)::int AS n FROM events WHERE at >= now() - interval '24 hours'`);
    // The old table's newest event is a minute old: its partition is not past the retention yet.
    expect(await server.instance.services.partitions.expireEvents(24)).toEqual({ partitionsDropped: [], straysDeleted: 0 });
    const { rows: after } = await sql.query(`SELECT count(*)::int AS n FROM events WHERE at >= now() - interval '24 hours'`);
    expect(after).toEqual(before);

    const later = await server.instance.services.partitions.dropBefore(EVENTS_TABLE, new Date(Date.now() + 60_000));
    expect(later).toEqual({ partitionsDropped: ['events_before_partitions'], straysDeleted: 0 });
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM events`);
    expect(rows[0].n).toBe(1); // today's stray
  });

  it('prunes a read bounded in time to the partitions its range needs, and drops days past the retention', async () => {
    // Two past days, as a running installation has them.
    for (const offset of [-3, -2]) {
      await sql.query(
        `CREATE TABLE ${dayName(offset)} PARTITION OF events FOR VALUES FROM ('${utcDay(offset).toISOString()}') TO ('${utcDay(offset + 1).toISOString()}')`,
      );
    }
    // Whether an event is still kept within the last 24 hours: neither past day can hold it.
    const { rows } = await sql.query(`EXPLAIN (COSTS OFF) ${IS_RETAINED_SQL.replace('$1', '1').replace('$2', "'1'").replace('$3', '24')}`);
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    const scanned = [...plan.matchAll(/on (events_\w+)/g)].map((m) => m[1]);
    expect(scanned).not.toContain(dayName(-3));
    expect(scanned).not.toContain(dayName(-2));
    expect(scanned).toContain(dayName(0));
    expect(plan).toMatch(/Subplans Removed: [1-9]/);

    const expiry = await server.instance.services.partitions.expireEvents(24);
    expect(expiry.partitionsDropped).toEqual([dayName(-3), dayName(-2)]);
    expect(await partitionNames()).toEqual(['events_default', ...Array.from({ length: DAYS_AHEAD + 1 }, (_, n) => dayName(n))]);
  });

  it('drops a day while events are appended to today: every appended event kept', async () => {
    await sql.query(
      `CREATE TABLE ${dayName(-5)} PARTITION OF events FOR VALUES FROM ('${utcDay(-5).toISOString()}') TO ('${utcDay(-4).toISOString()}')`,
    );
    await sql.query(`INSERT INTO events (kind, at) SELECT 'run', $1::timestamptz + interval '1 hour' FROM generate_series(1, 100)`, [
      utcDay(-5).toISOString(),
    ]);
    const writer = new pg.Client({ connectionString: databaseUrl });
    await writer.connect();
    let writing = true;
    let appended = 0;
    const appending = (async () => {
      while (writing) {
        await writer.query(`INSERT INTO events (kind, payload) VALUES ('run', '{"concurrent": true}')`);
        appended++;
      }
    })();
    try {
      await eventually(async () => (appended >= 20 ? true : undefined), 'appends under way');
      const expiry = await server.instance.services.partitions.expireEvents(24);
      expect(expiry.partitionsDropped).toEqual([dayName(-5)]);
      await eventually(async () => (appended >= 40 ? true : undefined), 'appends after the drop');
    } finally {
      writing = false;
      await appending;
      await writer.end();
    }
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM events WHERE payload ? 'concurrent'`);
    expect(rows[0].n).toBe(appended);
  });
});

describe('the leader', () => {
  it('an instance with jobs has made today and the days ahead before it serves: a fresh database’s first writes land in their day', async () => {
    // The leader's first round would otherwise make today's day while the first writes land in the default partition,
    // and a write routed there just before the day is attached fails ("violates partition constraint").
    const fresh = await startTestServer();
    try {
      const names = (await fresh.instance.services.partitions.partitions('events')).map((p) => p.name);
      expect(names).toEqual(['events_default', ...Array.from({ length: DAYS_AHEAD + 1 }, (_, n) => dayName(n))]);
      const pipeline = await createPipeline(fresh.admin);
      await startRun(fresh.admin, pipeline.id);
      expect(await fresh.instance.db.query('SELECT 1 FROM events_default LIMIT 1')).toEqual([]);
    } finally {
      await fresh.stop();
    }
  });

  it('makes today and the days ahead as soon as it is elected', async () => {
    const fresh = await startTestServer();
    try {
      const made = await eventually(async () => {
        const names = (await fresh.instance.services.partitions.partitions('events')).map((p) => p.name);
        return names.length === DAYS_AHEAD + 2 ? names : undefined;
      }, 'the days ahead');
      expect(made).toEqual(['events_default', ...Array.from({ length: DAYS_AHEAD + 1 }, (_, n) => dayName(n))]);
      // /metrics says how far ahead they reach: past the end of today plus DAYS_AHEAD days.
      const metrics = await (await fetch(`${fresh.url}/metrics`)).text();
      const ahead = Number(/syncwatch_partitions_ahead_seconds\{table="events"\} ([\d.e+]+)/.exec(metrics)?.[1]);
      expect(ahead).toBeGreaterThan(DAYS_AHEAD * 86_400);
      expect(ahead).toBeLessThanOrEqual((DAYS_AHEAD + 1) * 86_400);
    } finally {
      await fresh.stop();
    }
  });
});
