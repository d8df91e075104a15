// The layers (.dependency-cruiser.cjs) hold over the whole tree, and each rule does catch the import it forbids:
// a small tree that breaks every rule once must give exactly one violation per rule.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ICruiseResult, IForbiddenRuleType } from 'dependency-cruiser';
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as {
  forbidden: IForbiddenRuleType[];
  options: Record<string, unknown>;
};

interface Cruised {
  violations: { rule: string; from: string; to: string }[];
  /** Relative imports that did not resolve to a file: a rule cannot see through those. */
  unresolved: string[];
}

async function cruiseTree(baseDir: string, folders: string[]): Promise<Cruised> {
  const { output } = await cruise(
    folders,
    { ...config.options, baseDir, validate: true, ruleSet: { forbidden: config.forbidden } },
    undefined,
    { tsConfig: extractTSConfig(join(baseDir, 'tsconfig.json')) },
  );
  const result = output as ICruiseResult;
  return {
    violations: result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to })),
    unresolved: result.modules.flatMap((m) =>
      m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith('.')).map((d) => `${m.source} → ${d.module}`),
    ),
  };
}

describe('architecture', () => {
  it('every layer rule holds over server/ and client/', async () => {
    const { violations, unresolved } = await cruiseTree(ROOT, ['server', 'client/src']);
    expect(unresolved).toEqual([]);
    expect(violations).toEqual([]);
  }, 60_000);

  describe('each rule catches what it forbids', () => {
    const tree = mkdtempSync(join(tmpdir(), 'syncwatch-layers-'));
    afterAll(() => rmSync(tree, { recursive: true, force: true }));

    /** One file importing another: path → its import. */
    const breaking: Record<string, [file: string, imports: string]> = {
      'resolvers-no-database': ['server/resolvers/BadResolver.ts', '../db/data-source.js'],
      'services-no-transport': ['server/services/bad.service.ts', '../graphql/context.js'],
      'domain-is-pure': ['server/domain/bad-rule.ts', '../services/some.service.js'],
      'sql-is-text': ['server/sql/bad-statements.ts', '../services/some.service.js'],
      'entities-no-services': ['server/entities/Bad.ts', '../services/some.service.js'],
      'events-no-services': ['server/events/bad-event.ts', '../services/some.service.js'],
      'events-no-transport': ['server/events/bad-stream.ts', '../graphql/context.js'],
      'sdk-standalone': ['server/sdk/bad-client.ts', '../domain/some-rule.js'],
      'cli-standalone': ['server/cli/bad-command.ts', '../domain/some-rule.js'],
      'client-standalone': ['client/src/bad.ts', '../../server/domain/some-rule.js'],
    };
    const targets = [
      'server/db/data-source.ts',
      'server/graphql/context.ts',
      'server/services/some.service.ts',
      'server/domain/some-rule.ts',
    ];

    it('one violation per rule, each naming its rule', async () => {
      writeFileSync(join(tree, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
      for (const target of targets) {
        mkdirSync(dirname(join(tree, target)), { recursive: true });
        writeFileSync(join(tree, target), 'export const x = 1;\n');
      }
      for (const [file, imports] of Object.values(breaking)) {
        mkdirSync(dirname(join(tree, file)), { recursive: true });
        writeFileSync(join(tree, file), `import { x } from '${imports}';\nexport const y = x;\n`);
      }
      const { violations: found } = await cruiseTree(tree, ['server', 'client']);
      expect(found.map((v) => v.rule).sort()).toEqual(Object.keys(breaking).sort());
      for (const { rule, from } of found) expect(from).toBe(breaking[rule][0]);
      // Every rule of the config is covered here: a rule added later needs its breaking case.
      expect(config.forbidden.map((rule) => rule.name).sort()).toEqual(Object.keys(breaking).sort());
    }, 60_000);
  });
});
