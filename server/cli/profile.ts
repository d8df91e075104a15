// Where the command finds the server and the key: flags, then SYNCWATCH_URL / SYNCWATCH_API_KEY, then the profile
// file `syncwatch login` writes (mode 0600) in the user's config folder. The key is never printed.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from './errors.js';

export interface Connection {
  /** The server's base address, e.g. http://127.0.0.1:4000 (no /graphql). */
  url: string;
  apiKey: string;
}

interface Profile {
  url?: string;
  apiKey?: string;
}

export function profilePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'syncwatch', 'profile.json');
}

function readProfile(env: NodeJS.ProcessEnv): Profile {
  try {
    return JSON.parse(readFileSync(profilePath(env), 'utf8')) as Profile;
  } catch {
    return {};
  }
}

/** The server's base address: a trailing /graphql or slash is dropped, so either form works. */
export const baseUrl = (url: string) => url.replace(/\/+$/, '').replace(/\/graphql$/, '');

export function resolveConnection(flags: { url?: string; 'api-key'?: string }, env: NodeJS.ProcessEnv = process.env): Connection {
  const profile = readProfile(env);
  const url = flags.url ?? env.SYNCWATCH_URL ?? profile.url ?? 'http://127.0.0.1:4000';
  const apiKey = flags['api-key'] ?? env.SYNCWATCH_API_KEY ?? profile.apiKey;
  if (!apiKey)
    throw new CliError(`no API key: set SYNCWATCH_API_KEY, or run \`syncwatch login\` (writes ${profilePath(env)})`, EXIT.AUTH, 'NO_KEY');
  return { url: baseUrl(url), apiKey };
}

/** Writes the profile readable by its owner only: written to a 0600 temporary file first, then renamed over. */
export function writeProfile(connection: Connection, env: NodeJS.ProcessEnv = process.env): string {
  const path = profilePath(env);
  const dir = join(path, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ url: connection.url, apiKey: connection.apiKey }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return path;
}
