#!/usr/bin/env node
// The `syncwatch` command (package.json "bin"): loads the TypeScript through tsx, as `npm start` runs the server.
import { register } from 'tsx/esm/api';

// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
