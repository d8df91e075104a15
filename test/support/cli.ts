// Runs the `syncwatch` command as a user would: bin/syncwatch.mjs in a child process, its own config folder.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'syncwatch.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A config folder of its own, so no profile of the machine's user is read. */
export const emptyConfigHome = () => mkdtempSync(join(tmpdir(), 'syncwatch-cli-'));

export function cliEnv(url: string, apiKey: string | null, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XDG_CONFIG_HOME: emptyConfigHome(),
    SYNCWATCH_URL: url,
    ...extra,
  };
  if (apiKey) env.SYNCWATCH_API_KEY = apiKey;
  return env;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { output: CliResult; exited: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const output: CliResult = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
  });
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => {
      output.code = code;
      resolve(output);
    }),
  );
  return Object.assign(child, { output, exited });
}

/** Runs to the end with stdin closed at once (not a terminal). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<CliResult> {
  const child = startCli(args, env);
  child.stdin?.end(input);
  return child.exited;
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
