// Writes schema/schema.graphql from the resolvers: the committed contract of what the server serves.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { createSchema } from './graphql/schema.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));

export async function emittedSchema(): Promise<string> {
  return `${printSchema(await createSchema())}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, await emittedSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
