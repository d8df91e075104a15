// Every `syncwatch` command: its flags, its help line, and what it does. main.ts parses and dispatches.
import type { ParseArgsConfig } from 'node:util';
import type { GraphQLHttpClient } from '../sdk/graphql-client.js';
import { ALERT_COLUMNS, ERROR_GROUP_COLUMNS, fieldColumns, KEY_COLUMNS, RECORD_COLUMNS, RUN_COLUMNS } from './columns.js';
import { confirm } from './confirm.js';
import { CliError, EXIT, usage } from './errors.js';
import { download } from './export.js';
import { hasFilter, RECORD_FILTER_OPTIONS, RUN_FILTER_OPTIONS, recordFilter, runFilter, until, upper } from './filters.js';
import {
  AcknowledgeAlertDocument,
  type AlertState,
  AlertsDocument,
  ApiKeysDocument,
  CancelRunDocument,
  type CliRunFragment,
  CreateApiKeyDocument,
  DiscardDeadLettersDocument,
  type ErrorGroupState,
  ErrorGroupsDocument,
  ExportRecordsDocument,
  ExportRunsDocument,
  MuteAlertRuleDocument,
  RecordCountDocument,
  type RecordFilter,
  RecordsDocument,
  ReopenErrorGroupDocument,
  ReplayDeadLettersDocument,
  ResolveErrorGroupDocument,
  RetryRecordsDocument,
  RevokeApiKeyDocument,
  type Role,
  RunDocument,
  RunsDocument,
  type SyncMode,
  TriggerSyncDocument,
  WhoamiDocument,
} from './generated/graphql.js';
import { followRuns, type RunEvent } from './live.js';
import { colourAllowed, csvCell, type Format, note, paint, renderList, renderOne } from './output.js';
import type { Connection } from './profile.js';

type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Context {
  http: GraphQLHttpClient;
  connection: Connection;
  format: Format;
}

export interface Command {
  usage: string;
  summary: string;
  options: Options;
  run(ctx: Context, values: Values, args: string[]): Promise<number>;
}

const LIMIT = { limit: { type: 'string' } } as const satisfies Options;
const YES = { yes: { type: 'boolean', short: 'y' } } as const satisfies Options;

function limitOf(values: Values, fallback: number): number {
  const text = values.limit as string | undefined;
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usage(`--limit takes a whole number of at least 1, not "${text}"`);
  return n;
}

/** Walks the keyset pages until `limit` rows (pages of at most 500). */
async function collect<T>(limit: number, page: (first: number, after: string | null) => Promise<{ nodes: T[]; next: string | null }>) {
  const rows: T[] = [];
  let after: string | null = null;
  do {
    const { nodes, next } = await page(Math.min(500, limit - rows.length), after);
    rows.push(...nodes);
    after = next;
  } while (after && rows.length < limit);
  return rows;
}

function one(args: string[], what: string): string {
  if (args.length !== 1) throw usage(`expected one ${what}`);
  return args[0];
}

const TERMINAL: Record<string, boolean> = {
  SUCCEEDED: true,
  COMPLETED_WITH_ERRORS: true,
  FAILED: true,
  CANCELLED: true,
  ROLLED_BACK: true,
};
const isEnded = (run: CliRunFragment) => TERMINAL[run.status] === true;

async function getRun(ctx: Context, id: string): Promise<CliRunFragment> {
  const { run } = await ctx.http.request(RunDocument, { id }, { retries: 2 });
  if (!run) throw new CliError(`run ${id} not found`, EXIT.NOT_FOUND, 'NOT_FOUND');
  return run;
}

async function runsList(ctx: Context, values: Values) {
  const filter = await runFilter(ctx.http, values);
  const rows = await collect(limitOf(values, 50), async (first, after) => {
    const { runs } = await ctx.http.request(RunsDocument, { first, after, filter }, { retries: 2 });
    return { nodes: runs.edges.map((e) => e.node), next: runs.pageInfo.hasNextPage ? (runs.pageInfo.endCursor ?? null) : null };
  });
  renderList(rows, RUN_COLUMNS, ctx.format);
  return EXIT.OK;
}

async function watch(ctx: Context, _values: Values, args: string[]) {
  const id = one(args, 'run id');
  let run = await getRun(ctx, id);
  if (!isEnded(run)) {
    const colour = colourAllowed(process.stderr);
    note(`watching run ${run.id} (${run.pipeline.name}): ${run.status}`);
    run = await new Promise<CliRunFragment>((resolve, reject) => {
      let last = run;
      const finish = (ended: CliRunFragment) => {
        live.stop();
        resolve(ended);
      };
      const seen = (next: CliRunFragment) => {
        if (next.id !== id) return;
        if (next.status !== last.status || next.counts.total !== last.counts.total)
          note(
            `${paint(colour, 'grey', new Date().toISOString())} ${next.status} ${next.counts.total} records, ${next.counts.failed} failed`,
          );
        last = next;
        if (isEnded(next)) finish(next);
      };
      const live = followRuns(ctx.connection, {
        filter: { search: id },
        onEvent: (event) => seen(event.run),
        // Whatever happened before the subscription stood (or while it was down) is in the run as read now.
        onConnected: () => void getRun(ctx, id).then(seen, reject),
      });
      live.done.then(() => resolve(last), reject);
    });
  }
  renderOne(run, RUN_COLUMNS, ctx.format);
  return run.status === 'SUCCEEDED' ? EXIT.OK : EXIT.RUN_FAILED;
}

async function tail(ctx: Context, values: Values) {
  const filter = await runFilter(ctx.http, values);
  const colour = colourAllowed(process.stdout);
  let csvHeader = ctx.format === 'csv';
  let down = false;
  let started = false;
  const print = (event: RunEvent) => {
    const { run } = event;
    if (ctx.format === 'json' || ctx.format === 'jsonl') return void process.stdout.write(`${JSON.stringify(event)}\n`);
    if (ctx.format === 'csv') {
      if (csvHeader) process.stdout.write(`${RUN_COLUMNS.map((c) => csvCell(c.header)).join(',')}\r\n`);
      csvHeader = false;
      return void process.stdout.write(`${RUN_COLUMNS.map((c) => csvCell(c.value(run))).join(',')}\r\n`);
    }
    const status = run.status.padEnd(21);
    const painted = isEnded(run) ? paint(colour, run.status === 'SUCCEEDED' ? 'green' : 'red', status) : paint(colour, 'yellow', status);
    process.stdout.write(
      `${paint(colour, 'grey', new Date().toISOString())}  ${run.id}  ${painted}  ${run.pipeline.name}  ${run.counts.total} records, ${run.counts.failed} failed\n`,
    );
  };
  const live = followRuns(ctx.connection, {
    filter,
    onEvent: print,
    onResume: (why) => {
      if (!down) note(`${why}: reconnecting, then resuming where it stopped`);
      down = true;
    },
    onConnected: () => {
      if (!started) note('following runs; Ctrl-C to stop');
      else if (down) note('resumed');
      started = true;
      down = false;
    },
  });
  const stop = () => live.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await live.done;
  return EXIT.OK;
}

/** Records named by ids, by --run, or by filters; at least one of them, so a slip never touches everything. */
async function selection(ctx: Context, values: Values, args: string[], extra: RecordFilter = {}) {
  const given = await recordFilter(ctx.http, values);
  if (args.length && hasFilter(given)) throw usage('name records by ids or by filters, not both');
  if (args.length) return { ids: args, filter: null };
  if (!hasFilter(given)) throw usage('name the records: ids, --run RUN, or filters (see --help)');
  return { ids: null, filter: { ...given, ...extra } };
}

async function retry(ctx: Context, values: Values, args: string[]) {
  const target = await selection(ctx, values, args);
  const dry = (await ctx.http.request(RetryRecordsDocument, { ...target, dryRun: true })).retryRecords;
  note(`${dry.scheduled} records would be retried (${dry.matched} matched, ${dry.skipped} skipped)`);
  if (dry.scheduled === 0) {
    renderOne({ ...dry, retryRun: null }, fieldColumns(dry), ctx.format);
    return EXIT.OK;
  }
  await confirm(`Retry ${dry.scheduled} records?`, values.yes === true);
  const reason = (values.reason as string | undefined) ?? null;
  const done = (await ctx.http.request(RetryRecordsDocument, { ...target, dryRun: false, reason })).retryRecords;
  const row = { matched: done.matched, scheduled: done.scheduled, skipped: done.skipped, retryRun: done.retryRun?.id ?? null };
  renderOne(row, fieldColumns(row), ctx.format);
  return done.scheduled < dry.scheduled ? EXIT.PARTIAL : EXIT.OK;
}

async function deadLetters(ctx: Context, values: Values, args: string[], action: 'replay' | 'discard') {
  const target = await selection(ctx, values, args, { statuses: ['DEAD_LETTERED'] });
  // The API has no dry run for these: the records query counts them (exactly up to 1,000, then "more than 1,000").
  const counted = target.ids
    ? { totalCount: target.ids.length, totalCountIsExact: true }
    : (await ctx.http.request(RecordCountDocument, { filter: target.filter })).records;
  const count = counted.totalCountIsExact ? counted.totalCount : Number.POSITIVE_INFINITY;
  const shown = counted.totalCountIsExact ? String(count) : 'more than 1,000';
  note(`${shown} dead letters would be ${action === 'replay' ? 'replayed' : 'discarded'}`);
  if (count === 0) return EXIT.OK;
  await confirm(`${action === 'replay' ? 'Replay' : 'Discard'} ${shown} dead letters?`, values.yes === true);
  if (action === 'replay') {
    const done = (await ctx.http.request(ReplayDeadLettersDocument, target)).replayDeadLetters;
    const row = { matched: done.matched, scheduled: done.scheduled, skipped: done.skipped, retryRun: done.retryRun?.id ?? null };
    renderOne(row, fieldColumns(row), ctx.format);
    return counted.totalCountIsExact && done.scheduled < count ? EXIT.PARTIAL : EXIT.OK;
  }
  const done = (await ctx.http.request(DiscardDeadLettersDocument, target)).discardDeadLetters;
  renderOne(done, fieldColumns(done), ctx.format);
  return counted.totalCountIsExact && done.discarded < count ? EXIT.PARTIAL : EXIT.OK;
}

async function recordsList(ctx: Context, values: Values, extra: RecordFilter = {}) {
  const filter = { ...(await recordFilter(ctx.http, values)), ...extra };
  const rows = await collect(limitOf(values, 100), async (first, after) => {
    const { records } = await ctx.http.request(RecordsDocument, { first, after, filter }, { retries: 2 });
    return { nodes: records.edges.map((e) => e.node), next: records.pageInfo.hasNextPage ? (records.pageInfo.endCursor ?? null) : null };
  });
  renderList(rows, RECORD_COLUMNS, ctx.format);
  return EXIT.OK;
}

async function alertsList(ctx: Context, values: Values) {
  const states = (upper(values.state) as AlertState[] | undefined) ?? null;
  const rows = await collect(limitOf(values, 50), async (first, after) => {
    const { alerts } = await ctx.http.request(AlertsDocument, { first, after, states }, { retries: 2 });
    return { nodes: alerts.edges.map((e) => e.node), next: alerts.pageInfo.hasNextPage ? (alerts.pageInfo.endCursor ?? null) : null };
  });
  renderList(rows, ALERT_COLUMNS, ctx.format);
  return EXIT.OK;
}

const RUN_LIST_OPTIONS = { ...RUN_FILTER_OPTIONS, ...LIMIT };
const RECORD_LIST_OPTIONS = { ...RECORD_FILTER_OPTIONS, ...LIMIT };

export const COMMANDS: Record<string, Command> = {
  whoami: {
    usage: 'whoami',
    summary: 'the key in use: its name, role and tenant (never its secret)',
    options: {},
    async run(ctx) {
      const { me } = await ctx.http.request(WhoamiDocument, {}, { retries: 2 });
      renderOne(me, fieldColumns(me), ctx.format);
      return EXIT.OK;
    },
  },
  'runs list': {
    usage: 'runs list [filters] [--limit N]',
    summary: 'runs, newest first (50 unless --limit)',
    options: RUN_LIST_OPTIONS,
    run: runsList,
  },
  'runs get': {
    usage: 'runs get RUN',
    summary: 'one run',
    options: {},
    async run(ctx, _values, args) {
      renderOne(await getRun(ctx, one(args, 'run id')), RUN_COLUMNS, ctx.format);
      return EXIT.OK;
    },
  },
  'runs watch': {
    usage: 'runs watch RUN',
    summary: 'follow a run until it ends: exit 0 when it SUCCEEDED, 5 otherwise',
    options: {},
    run: watch,
  },
  tail: {
    usage: 'tail [filters]',
    summary: 'live runs as they change, resumed after a dropped connection; Ctrl-C stops',
    options: RUN_FILTER_OPTIONS,
    run: tail,
  },
  retry: {
    usage: 'retry [RECORD...] [--run RUN] [filters] [--reason TEXT] [--yes]',
    summary: 'retry failed records: counts first (dry run), then asks y/N; --yes without a terminal; --reason goes to the audit log',
    options: { ...RECORD_FILTER_OPTIONS, ...YES, reason: { type: 'string' } },
    run: retry,
  },
  cancel: {
    usage: 'cancel RUN [--reason TEXT]',
    summary: 'cancel a queued or running run',
    options: { reason: { type: 'string' } },
    async run(ctx, values, args) {
      const { cancelRun } = await ctx.http.request(CancelRunDocument, {
        runId: one(args, 'run id'),
        reason: (values.reason as string) ?? null,
      });
      renderOne(cancelRun, RUN_COLUMNS, ctx.format);
      return EXIT.OK;
    },
  },
  trigger: {
    usage: 'trigger PIPELINE [--mode MANUAL|ON_DEMAND|SCHEDULED|REAL_TIME] [--operation-type T]',
    summary: 'queue a run of a pipeline (by name or id) for its workers',
    options: { mode: { type: 'string' }, 'operation-type': { type: 'string' } },
    async run(ctx, values, args) {
      const [pipelineId] = (await runFilter(ctx.http, { pipeline: [one(args, 'pipeline')] })).pipelineIds ?? [];
      const mode = ((values.mode as string | undefined)?.toUpperCase() ?? 'MANUAL') as SyncMode;
      const operationType = (values['operation-type'] as string | undefined) ?? null;
      const { triggerSync } = await ctx.http.request(TriggerSyncDocument, { pipelineId, mode, operationType });
      renderOne(triggerSync, RUN_COLUMNS, ctx.format);
      return EXIT.OK;
    },
  },
  'records list': {
    usage: 'records list [filters] [--limit N]',
    summary: 'records, newest first (100 unless --limit)',
    options: RECORD_LIST_OPTIONS,
    run: (ctx, values) => recordsList(ctx, values),
  },
  'errors list': {
    usage: 'errors list [--state OPEN|RESOLVED|REGRESSED] [filters] [--limit N]',
    summary: 'failures grouped by fingerprint (started in the last 7 days unless --since/--from)',
    options: { ...RECORD_FILTER_OPTIONS, ...LIMIT, state: { type: 'string', multiple: true } },
    async run(ctx, values) {
      const { startedAt, ...filter } = await recordFilter(ctx.http, values);
      const states = upper(values.state) as ErrorGroupState[] | undefined;
      const { errorGroups } = await ctx.http.request(
        ErrorGroupsDocument,
        { first: Math.min(500, limitOf(values, 20)), filter, states: states ?? null, range: startedAt ?? null },
        { retries: 2 },
      );
      renderList(errorGroups, ERROR_GROUP_COLUMNS, ctx.format);
      return EXIT.OK;
    },
  },
  'errors resolve': {
    usage: 'errors resolve FINGERPRINT [--note TEXT]',
    summary: 'mark an error group fixed',
    options: { note: { type: 'string' } },
    async run(ctx, values, args) {
      const { resolveErrorGroup } = await ctx.http.request(ResolveErrorGroupDocument, {
        fingerprint: one(args, 'fingerprint'),
        note: (values.note as string) ?? null,
      });
      renderOne(resolveErrorGroup, fieldColumns(resolveErrorGroup), ctx.format);
      return EXIT.OK;
    },
  },
  'errors reopen': {
    usage: 'errors reopen FINGERPRINT',
    summary: 'return a resolved error group to OPEN',
    options: {},
    async run(ctx, _values, args) {
      const { reopenErrorGroup } = await ctx.http.request(ReopenErrorGroupDocument, { fingerprint: one(args, 'fingerprint') });
      renderOne(reopenErrorGroup, fieldColumns(reopenErrorGroup), ctx.format);
      return EXIT.OK;
    },
  },
  'dlq list': {
    usage: 'dlq list [filters] [--limit N]',
    summary: 'dead-lettered records',
    options: RECORD_LIST_OPTIONS,
    run: (ctx, values) => recordsList(ctx, values, { statuses: ['DEAD_LETTERED'] }),
  },
  'dlq replay': {
    usage: 'dlq replay [RECORD...] [filters] [--yes]',
    summary: 'another attempt for dead letters: counts first, then asks y/N',
    options: { ...RECORD_FILTER_OPTIONS, ...YES },
    run: (ctx, values, args) => deadLetters(ctx, values, args, 'replay'),
  },
  'dlq discard': {
    usage: 'dlq discard [RECORD...] [filters] [--yes]',
    summary: 'close dead letters as DISCARDED: counts first, then asks y/N',
    options: { ...RECORD_FILTER_OPTIONS, ...YES },
    run: (ctx, values, args) => deadLetters(ctx, values, args, 'discard'),
  },
  'export records': {
    usage: 'export records [filters] [--limit N] [-o FILE]',
    summary: "the server's streaming CSV export of records, to stdout or FILE",
    options: { ...RECORD_FILTER_OPTIONS, ...LIMIT, out: { type: 'string', short: 'o' } },
    async run(ctx, values) {
      const filter = await recordFilter(ctx.http, values);
      const limit = values.limit === undefined ? null : limitOf(values, 1);
      const { exportRecords } = await ctx.http.request(ExportRecordsDocument, { filter, limit });
      await download(ctx.http, ctx.connection.url, exportRecords, values.out as string | undefined);
      return EXIT.OK;
    },
  },
  'export runs': {
    usage: 'export runs [filters] [--limit N] [-o FILE]',
    summary: "the server's streaming CSV export of runs, to stdout or FILE",
    options: { ...RUN_FILTER_OPTIONS, ...LIMIT, out: { type: 'string', short: 'o' } },
    async run(ctx, values) {
      const filter = await runFilter(ctx.http, values);
      const limit = values.limit === undefined ? null : limitOf(values, 1);
      const { exportRuns } = await ctx.http.request(ExportRunsDocument, { filter, limit });
      await download(ctx.http, ctx.connection.url, exportRuns, values.out as string | undefined);
      return EXIT.OK;
    },
  },
  'keys create': {
    usage: 'keys create NAME --role VIEWER|OPERATOR|INGEST|ADMIN [--tenant T]',
    summary: 'a new API key; its secret is printed this once (ADMIN)',
    options: { role: { type: 'string' }, tenant: { type: 'string' } },
    async run(ctx, values, args) {
      if (!values.role) throw usage('--role is required');
      const { createApiKey } = await ctx.http.request(CreateApiKeyDocument, {
        input: {
          name: one(args, 'key name'),
          role: (values.role as string).toUpperCase() as Role,
          tenantId: (values.tenant as string) ?? null,
        },
      });
      const row = { ...createApiKey.key, secret: createApiKey.secret };
      renderOne(row, fieldColumns(row), ctx.format);
      note('the secret is shown this once: syncwatch keeps only its hash');
      return EXIT.OK;
    },
  },
  'keys list': {
    usage: 'keys list',
    summary: 'the keys not revoked, oldest first: id, name, role, tenant; never a secret (ADMIN)',
    options: {},
    async run(ctx) {
      const { apiKeys } = await ctx.http.request(ApiKeysDocument, {}, { retries: 2 });
      renderList(apiKeys, KEY_COLUMNS, ctx.format);
      return EXIT.OK;
    },
  },
  'keys revoke': {
    usage: 'keys revoke KEY_ID',
    summary: 'revoke an API key at once (ADMIN)',
    options: {},
    async run(ctx, _values, args) {
      const id = one(args, 'key id');
      const { revokeApiKey } = await ctx.http.request(RevokeApiKeyDocument, { id });
      renderOne({ id, revoked: revokeApiKey }, fieldColumns({ id, revoked: revokeApiKey }), ctx.format);
      return EXIT.OK;
    },
  },
  'alerts list': {
    usage: 'alerts list [--state FIRING|ACKNOWLEDGED|RESOLVED] [--limit N]',
    summary: 'alerts, newest first (50 unless --limit)',
    options: { ...LIMIT, state: { type: 'string', multiple: true } },
    run: alertsList,
  },
  'alerts ack': {
    usage: 'alerts ack ALERT [--note TEXT]',
    summary: 'acknowledge a FIRING alert: no more reminders; it still resolves (OPERATOR)',
    options: { note: { type: 'string' } },
    async run(ctx, values, args) {
      const { acknowledgeAlert } = await ctx.http.request(AcknowledgeAlertDocument, {
        id: one(args, 'alert id'),
        note: (values.note as string) ?? null,
      });
      renderOne(acknowledgeAlert, ALERT_COLUMNS, ctx.format);
      return EXIT.OK;
    },
  },
  'alerts mute': {
    usage: 'alerts mute RULE --until 2h|7d|TIME',
    summary: 'mute an alert rule until then: it records alerts and tells nobody (OPERATOR)',
    options: { until: { type: 'string' } },
    async run(ctx, values, args) {
      const id = one(args, 'rule id');
      if (!values.until) throw usage('--until is required: a duration like 2h or 7d, or an RFC 3339 time');
      const { muteAlertRule } = await ctx.http.request(MuteAlertRuleDocument, { id, until: until(values.until as string, '--until') });
      renderOne(muteAlertRule, fieldColumns(muteAlertRule), ctx.format);
      return EXIT.OK;
    },
  },
};
