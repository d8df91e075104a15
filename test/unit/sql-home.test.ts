// One home for SQL: statements about product data live in server/sql/<subject>.ts (and, as history, in
// server/db/migrations/). Anywhere else under server/, a string or template literal shaped like a statement fails
// this test, unless its file is on the allowlist below with its reason. Literals are read with the TypeScript
// parser, so comments and code around them never count. It was seen failing before the move: it named
// retention.service.ts, run-progress.ts, api-key.service.ts, facet.service.ts, rollup-maintenance.ts,
// export.service.ts, pipeline.service.ts, server-secrets.ts, http/metrics-endpoint.ts, events/event-log.ts and
// events/event-store.ts; the last test below keeps showing that it can fail.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where statements belong. */
const HOMES = ['server/sql/', 'server/db/migrations/'];

/**
 * Files that may still hold statements, each with why. An entry whose file no longer matches fails too: when the
 * lead moves a file's SQL into server/sql/, its line here goes.
 */
const ALLOWED: Record<string, string> = {
  // Legitimate: a filter composes the statement, so the query builder assembles it from expressions like this.
};

/** Statement shapes, in SQL's upper case (prose in lower case never matches). */
const SHAPES: [name: string, pattern: RegExp][] = [
  ['INSERT INTO', /\bINSERT\s+INTO\s+[a-z_]/],
  ['UPDATE … SET', /\bUPDATE\s+[a-z_]+(\s+(AS\s+)?[a-z_]+)?\s+SET\b/],
  ['DELETE FROM', /\bDELETE\s+FROM\s+[a-z_]/],
  // A table or a sub-select; system catalogs (pg_*) are the connection's own business (cancelling its backends).
  ['SELECT … FROM', /\bSELECT\b[\s\S]*?\bFROM\s+(\(|(?!pg_)[a-z_]+\b(?!\s*\())/],
  ['WITH … AS (', /\bWITH\s+[a-z_]+\s+AS\s*\(/],
];

/** The text of every string and template literal in a TypeScript source (a substitution reads as `${…}`). */
function literalsOf(source: string): string[] {
  const file = ts.createSourceFile('scanned.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
    else if (ts.isTemplateExpression(node)) {
      found.push(node.head.text + node.templateSpans.map((span) => `\${…}${span.literal.text}`).join(''));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The statement shapes found in a source, as "shape: start of the literal". */
function statementsIn(source: string): string[] {
  return literalsOf(source).flatMap((text) =>
    SHAPES.filter(([, pattern]) => pattern.test(text)).map(([name]) => `${name}: ${text.trim().replace(/\s+/g, ' ').slice(0, 80)}`),
  );
}

function serverFiles(dir = join(ROOT, 'server')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return serverFiles(path);
    return entry.name.endsWith('.ts') ? [relative(ROOT, path).split('\\').join('/')] : [];
  });
}

describe('SQL lives in server/sql/', () => {
  const found = new Map<string, string[]>();
  for (const file of serverFiles()) {
    if (HOMES.some((home) => file.startsWith(home))) continue;
    const statements = statementsIn(readFileSync(join(ROOT, file), 'utf8'));
    if (statements.length > 0) found.set(file, statements);
  }

  it('no statement about product data outside server/sql/ and the migrations, but in the allowlist', () => {
    const outside = Object.fromEntries([...found].filter(([file]) => !(file in ALLOWED)));
    expect(outside).toEqual({});
  });

  it('every file on the allowlist still holds SQL (a moved file leaves the list)', () => {
    expect(Object.keys(ALLOWED).filter((file) => !found.has(file))).toEqual([]);
  });

  it('finds each shape, and leaves connection-level one-liners and prose alone', () => {
    const statements = `
      const a = 'INSERT INTO server_secrets (name, secret) VALUES ($1, $2)';
      const b = "UPDATE runs r SET status = 'RUNNING'";
      const c = \`DELETE FROM events WHERE id = \${id}\`;
      const d = \`SELECT id, status
                 FROM runs WHERE id = $1\`;
      const e = \`SELECT count(*) FROM (\${sql}) rows\`;
      const f = 'WITH gone AS (SELECT 1) SELECT 1';
      // SELECT id FROM runs (a comment, not a string)
    `;
    expect(statementsIn(statements).map((s) => s.split(':')[0])).toEqual([
      'INSERT INTO',
      'UPDATE … SET',
      'DELETE FROM',
      'SELECT … FROM',
      'SELECT … FROM',
      'WITH … AS (',
    ]);
    const connection = `
      db.query('SELECT 1');
      runner.query('SELECT pg_try_advisory_lock($1) AS locked', [KEY]);
      runner.query('SELECT pg_backend_pid() AS pid');
      client.query(\`LISTEN \${CHANNEL}\`);
      manager.query('SELECT pg_notify($1, $2)', [CHANNEL, id]);
      client.query('SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = $1');
      runner.query('SET statement_timeout = 0');
      throw badInput('select the runs to delete from the list');
    `;
    expect(statementsIn(connection)).toEqual([]);
  });
});
