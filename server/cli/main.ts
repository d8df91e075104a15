// `syncwatch`: the command line for scripts and operators. Parses with node:util's parseArgs, calls the API with the
// typed operations of operations.graphql (the SDK's HTTP client), and exits with a code a script can act on.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createHttpClient, type GraphQLHttpClient } from '../sdk/graphql-client.js';
import { COMMANDS, type Command, type Context } from './commands.js';
import { CliError, EXIT, EXIT_HELP, errorLine, exitCodeOf, usage } from './errors.js';
import { FILTER_HELP } from './filters.js';
import { WhoamiDocument } from './generated/graphql.js';
import { FORMATS, type Format, note } from './output.js';
import { baseUrl, type Connection, profilePath, resolveConnection, writeProfile } from './profile.js';

const GLOBAL_OPTIONS = {
  output: { type: 'string', short: 'O' },
  url: { type: 'string' },
  'api-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function mainHelp(): string {
  const entries: [string, string][] = [
    ['login [--url URL]', `save the address and key (from SYNCWATCH_API_KEY, stdin, or asked for) in ${profilePath()}, mode 0600`],
    ...Object.values(COMMANDS).map((c): [string, string] => [c.usage, c.summary]),
  ];
  const lines = entries.map(([usageLine, summary]) => `  ${usageLine}\n      ${summary}`);
  return `Usage: syncwatch <command> [flags]     (syncwatch help <command>, or <command> --help, for its flags)

Commands:
${lines.join('\n')}

Flags for every command:
  -O, --output table|json|jsonl|csv   how data is printed on stdout (default table); messages go to stderr
  --url URL                           the server (default: SYNCWATCH_URL, then the profile, then http://127.0.0.1:4000)
  --api-key KEY                       the key (prefer SYNCWATCH_API_KEY or the profile: arguments show in ps)
  -h, --help                          this help, or a command's

${FILTER_HELP}

Colours only on a terminal, never with NO_COLOR. The key is never printed.

${EXIT_HELP}
`;
}

const commandHelp = (command: Command) => `Usage: syncwatch ${command.usage}\n\n${command.summary}\n
${Object.keys(command.options).some((o) => ['status', 'pipeline'].includes(o)) ? `${FILTER_HELP}\n\n` : ''}${EXIT_HELP}\n`;

/** The command's name from the first one or two words: `runs list`, or `whoami`. */
function findCommand(words: string[]): { name: string; command: Command; rest: string[] } | null {
  const two = words.slice(0, 2).join(' ');
  if (COMMANDS[two]) return { name: two, command: COMMANDS[two], rest: words.slice(2) };
  if (COMMANDS[words[0]]) return { name: words[0], command: COMMANDS[words[0]], rest: words.slice(1) };
  return null;
}

const TAKES_VALUE = new Set(['-O', '--output', '--url', '--api-key']);

/** Flags for every command may come before it (`syncwatch -O json runs list`): they move behind the command's name. */
function commandFirst(argv: string[]): string[] {
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-')) i += TAKES_VALUE.has(argv[i]) ? 2 : 1;
  return [...argv.slice(i), ...argv.slice(0, i)];
}

async function readSecret(): Promise<string> {
  if (process.env.SYNCWATCH_API_KEY) return process.env.SYNCWATCH_API_KEY;
  if (!process.stdin.isTTY) {
    // Piped in: `printf %s "$KEY" | syncwatch login`, which keeps it out of ps.
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.trim();
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Hide what is typed: the prompt is written once, and echoing is turned off for the answer.
  const output = rl as unknown as { _writeToOutput(text: string): void };
  process.stderr.write('API key: ');
  output._writeToOutput = () => {};
  const secret = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return secret.trim();
}

async function login(values: Record<string, unknown>): Promise<number> {
  const url = baseUrl((values.url as string | undefined) ?? process.env.SYNCWATCH_URL ?? 'http://127.0.0.1:4000');
  const apiKey = (values['api-key'] as string | undefined) ?? (await readSecret());
  if (!apiKey) throw usage('no key given');
  const http = createHttpClient(`${url}/graphql`, apiKey);
  const { me } = await http.request(WhoamiDocument, {});
  const path = writeProfile({ url, apiKey });
  note(`logged in to ${url} as ${me.name} (${me.role}${me.tenantId ? `, tenant ${me.tenantId}` : ''}); saved in ${path}`);
  return EXIT.OK;
}

export async function main(given: string[]): Promise<number> {
  let secret: string | undefined;
  const argv = commandFirst(given);
  try {
    const words = argv.filter((a) => !a.startsWith('-'));
    if (argv.length === 0 || (words.length === 0 && argv.some((a) => a === '--help' || a === '-h'))) {
      process.stdout.write(mainHelp());
      return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
    }
    // `syncwatch help [command]`: npx takes --help for itself, so `npx syncwatch help runs list` is the way there.
    if (words[0] === 'help') {
      const wanted = findCommand(words.slice(1));
      process.stdout.write(wanted ? commandHelp(wanted.command) : mainHelp());
      return EXIT.OK;
    }
    if (words[0] === 'login') {
      const { values } = parseArgs({ args: argv.slice(1), options: GLOBAL_OPTIONS, strict: true });
      return await login(values);
    }
    const found = findCommand(argv);
    if (!found) throw usage(`unknown command "${argv.slice(0, 2).join(' ')}": see syncwatch --help`);
    const { values, positionals } = parseArgs({
      args: found.rest,
      options: { ...GLOBAL_OPTIONS, ...found.command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(commandHelp(found.command));
      return EXIT.OK;
    }
    const format = (values.output ?? 'table') as Format;
    if (!FORMATS.includes(format)) throw usage(`--output takes ${FORMATS.join(', ')}, not "${format}"`);
    const connection: Connection = resolveConnection(values as { url?: string; 'api-key'?: string });
    secret = connection.apiKey;
    const http: GraphQLHttpClient = createHttpClient(`${connection.url}/graphql`, connection.apiKey);
    const ctx: Context = { http, connection, format };
    return await found.command.run(ctx, values as Record<string, string | boolean | string[] | undefined>, positionals);
  } catch (error) {
    const parseError = (error as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS');
    const failure = parseError ? usage((error as Error).message) : error;
    process.stderr.write(`${errorLine(failure, secret)}\n`);
    return failure instanceof CliError || !parseError ? exitCodeOf(failure) : EXIT.USAGE;
  }
}
