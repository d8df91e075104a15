// The checks CI relies on, as tests: generated artifacts are fresh, types and lint pass, the contract holds,
// and the compose file users run stays valid.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { brokenLinks, headingAnchors } from '../support/doc-links.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');
const CONTRACT_CHECK = join(ROOT, '..', 'shared', 'tools', 'check-contract.mjs');
const CHECK_TIMEOUT = 180_000;

interface Outcome {
  code: number;
  stdout: string;
  /** stdout and stderr, for failure messages. */
  output: string;
}

/** Runs a command in the project root; resolves with its exit code and combined output, never rejects. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: ROOT, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, output: `${stdout}${stderr}`.trim() });
      },
    );
  });
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, command)));
}

describe('generated artifacts', () => {
  it('schema/schema.graphql is what the resolvers emit (run `npm run schema`)', { timeout: CHECK_TIMEOUT }, async () => {
    // Emitted under tsx, as `npm run schema` does: inside vitest, graphql loads twice (its ESM build for our files,
    // its CommonJS build for type-graphql) and printSchema refuses the other copy's types.
    const emitted = await run(join(BIN, 'tsx'), [
      '--eval',
      "import('./server/emit-schema.ts').then((m) => m.emittedSchema()).then((sdl) => process.stdout.write(sdl))",
    ]);
    expect(emitted.code, emitted.output).toBe(0);
    expect(readFileSync(join(ROOT, 'schema', 'schema.graphql'), 'utf8')).toBe(emitted.stdout);
  });

  it('the client types in client/src/graphql/generated are fresh (run `npm run codegen`)', { timeout: CHECK_TIMEOUT }, async () => {
    const result = await run(join(BIN, 'graphql-codegen'), ['--config', 'codegen.yml', '--check']);
    expect(result.code, result.output).toBe(0);
  });
});

describe('tests that cannot flake on the background jobs', () => {
  it('every test that counts statements or compares the whole database starts its server with { jobs: false }', () => {
    const dir = join(ROOT, 'test', 'integration');
    const careless = readdirSync(dir)
      .filter((name) => name.endsWith('.test.ts'))
      .filter((name) => {
        const source = readFileSync(join(dir, name), 'utf8');
        const watches = /\b(statementsDuring|watchStatements|databaseState)\(/.test(source);
        return watches && !/startTestServer\([^;]*jobs: false/.test(source);
      });
    expect(careless, 'the jobs (lease expiry, due retries, progress flush…) run their own statements at any moment').toEqual([]);
  });
});

describe('documentation links', () => {
  it('every relative link in README.md and docs/*.md names a file that exists, and a heading of it when it has an #anchor', () => {
    const files = [
      join(ROOT, 'README.md'),
      ...readdirSync(join(ROOT, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => join(ROOT, 'docs', name)),
    ];
    expect(files.flatMap((file) => brokenLinks(ROOT, file, readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('catches a missing file, a missing heading and a link to a heading of its own file', () => {
    const readme = join(ROOT, 'README.md');
    const text =
      '# Title\n\n## A request’s way: (2) `steps`\n\n```\n[in code](nowhere.md)\n```\n[a](docs/nowhere.md) [b](docs/architecture.md#no-such-heading) [c](#title) [d](#a-requests-way-2-steps) [e](#missing) [f](https://example.com/x)';
    expect(brokenLinks(ROOT, readme, text)).toEqual([
      'README.md: docs/nowhere.md (no such file)',
      'README.md: docs/architecture.md#no-such-heading (no heading with that anchor)',
      'README.md: #missing (no heading with that anchor)',
    ]);
    expect(headingAnchors('## Roles\n## Roles\n### What an INGEST key may and may not do')).toEqual(
      new Set(['roles', 'roles-1', 'what-an-ingest-key-may-and-may-not-do']),
    );
  });
});

describe('static checks', () => {
  it('the server and tests type-check (tsc --noEmit)', { timeout: CHECK_TIMEOUT }, async () => {
    const result = await run(join(BIN, 'tsc'), ['--noEmit', '-p', 'tsconfig.json']);
    expect(result.code, result.output).toBe(0);
  });

  it('the dashboard type-checks (vue-tsc)', { timeout: CHECK_TIMEOUT }, async () => {
    const result = await run(join(BIN, 'vue-tsc'), ['--noEmit', '-p', 'client/tsconfig.json']);
    expect(result.code, result.output).toBe(0);
  });

  it('lint and format pass (biome check .)', { timeout: CHECK_TIMEOUT }, async () => {
    const result = await run(join(BIN, 'biome'), ['check', '.']);
    expect(result.code, result.output).toBe(0);
  });
});

describe.skipIf(!existsSync(CONTRACT_CHECK) && !process.env.CI)('the public contract (../shared/contract/schema.graphql)', () => {
  it('breaks nothing that exists: only operations and types of later issues may still be missing', { timeout: CHECK_TIMEOUT }, async () => {
    const result = await run(process.execPath, [CONTRACT_CHECK, 'schema/schema.graphql']);
    const changes = result.output.split('\n').filter((line) => /^[A-Z_]+: /.test(line));
    // A whole missing type, or a missing root field (an operation not built yet), is work to come;
    // anything else (a changed kind or type, a missing argument, enum value or object field) breaks clients today.
    const breaking = changes.filter(
      (line) => !line.startsWith('TYPE_REMOVED: ') && !/^FIELD_REMOVED: (Query|Mutation|Subscription)\.\w+ was removed\.$/.test(line),
    );
    expect(breaking, result.output).toEqual([]);
    expect(result.output).toMatch(/^contract: (kept|\d+ breaking changes)/m);
  });
});

describe.skipIf(!onPath('docker-compose'))('docker-compose.yml', () => {
  it('is a valid compose file (docker-compose config -q)', { timeout: CHECK_TIMEOUT }, async () => {
    const secrets = { ADMIN_API_KEY: 'a-secret-of-16-chars-or-more', POSTGRES_PASSWORD: 'a-password' };
    const result = await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], secrets);
    expect(result.code, result.output).toBe(0);
  });

  it('gives the demo worker an INGEST key of its own, never the admin key', { timeout: CHECK_TIMEOUT }, async () => {
    const secrets = { ADMIN_API_KEY: 'the-admin-secret-0123456789', POSTGRES_PASSWORD: 'a-password', DEMO_INGEST_KEY: 'the-ingest-key' };
    const result = await run('docker-compose', ['-f', 'docker-compose.yml', '--profile', 'demo', 'config'], secrets);
    expect(result.code, result.output).toBe(0);
    // The demo-worker service's block of the resolved file: from its name to the next service at the same indent.
    const block = /\n {2}demo-worker:\n((?: {4}.*\n|\n)*)/.exec(result.stdout)?.[1] ?? '';
    expect(block).toMatch(/SYNCWATCH_INGEST_KEY: the-ingest-key/);
    expect(block).not.toContain(secrets.ADMIN_API_KEY);
  });

  it('has no usable default admin key or database password: it refuses to start without them', { timeout: CHECK_TIMEOUT }, async () => {
    const result = await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { ADMIN_API_KEY: '', POSTGRES_PASSWORD: '' });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/ADMIN_API_KEY|POSTGRES_PASSWORD/);
  });
});
