// The SDK stays a separate piece: its generated types match the schema, and it imports nothing from the server.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SDK = join(ROOT, 'server', 'sdk');

function sdkSources(dir = SDK): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sdkSources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('the worker SDK', () => {
  it('has fresh generated types (run `npm run codegen:sdk`)', { timeout: 180_000 }, async () => {
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        join(ROOT, 'node_modules', '.bin', 'graphql-codegen'),
        ['--config', 'server/sdk/codegen.yml', '--check'],
        { cwd: ROOT },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` }),
      );
    });
    expect(result.code, result.output).toBe(0);
  });

  it('imports nothing from the rest of the server', () => {
    const outside: string[] = [];
    for (const file of sdkSources()) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const leavesSdk = specifier.startsWith('.') && !join(file, '..', specifier).startsWith(SDK);
        if (leavesSdk) outside.push(`${file.slice(ROOT.length)} → ${specifier}`);
      }
    }
    expect(sdkSources().length).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });
});
