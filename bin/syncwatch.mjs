#!/usr/bin/env node
// The `syncwatch` command (package.json "bin"): loads the TypeScript through tsx, as `npm start` runs the server.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
