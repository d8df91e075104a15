// Creates (or finds again) the demo pipelines and the demo worker's INGEST key, through GraphQL with the admin key;
// or, for a worker given only an INGEST key (docker-compose), finds the pipelines an admin created for it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEMO_PIPELINES, type DemoPipelineKey } from './catalog.js';

export interface DemoSetup {
  /** Pipeline ids by demo key. */
  pipelineIds: Record<DemoPipelineKey, string>;
  ingestKey: string;
  /** True when the pipelines were just created: the history needs a backfill. */
  fresh: boolean;
}

/** One GraphQL request with `key` (an admin's, or the demo worker's INGEST key); throws with the first error. */
export async function adminRequest<T>(url: string, adminKey: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(`demo setup: ${body.errors?.[0]?.message ?? `HTTP ${response.status}`}`);
  return body.data;
}

/**
 * On an empty database: creates the three pipelines and an INGEST key (kept in keyFile for later starts).
 * With the demo pipelines already there: finds them again. With other pipelines only: null (the demo stays out of the way).
 */
export async function setUpDemo(url: string, adminKey: string, keyFile: string): Promise<DemoSetup | null> {
  const { pipelines } = await adminRequest<{ pipelines: { id: string; name: string }[] }>(url, adminKey, '{ pipelines { id name } }');
  const fresh = pipelines.length === 0;
  const ids: Partial<Record<DemoPipelineKey, string>> = {};
  for (const demo of DEMO_PIPELINES) {
    const existing = pipelines.find((p) => p.name === demo.input.name);
    if (existing) ids[demo.key] = existing.id;
  }
  if (!fresh && Object.keys(ids).length < DEMO_PIPELINES.length) return null;
  if (fresh) {
    for (const demo of DEMO_PIPELINES) {
      const { createPipeline } = await adminRequest<{ createPipeline: { id: string } }>(
        url,
        adminKey,
        'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
        { input: demo.input },
      );
      ids[demo.key] = createPipeline.id;
    }
  }
  let ingestKey = !fresh && existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
  // A kept key may have been revoked since: then make a new one.
  if (
    ingestKey &&
    !(await adminRequest(url, ingestKey, '{ me { id } }').then(
      () => true,
      () => false,
    ))
  )
    ingestKey = '';
  if (!ingestKey) {
    const { createApiKey } = await adminRequest<{ createApiKey: { secret: string } }>(
      url,
      adminKey,
      'mutation { createApiKey(input: { name: "demo worker", role: INGEST }) { secret } }',
    );
    ingestKey = createApiKey.secret;
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${ingestKey}\n`, { mode: 0o600 });
  }
  return { pipelineIds: ids as Record<DemoPipelineKey, string>, ingestKey, fresh };
}

/**
 * For a worker holding only an INGEST key: the demo pipelines an admin created (setUpDemo, or `docker compose run
 * --rm demo-setup`), or null while they are not all there. `fresh` when they have no runs yet (backfill first).
 */
export async function findDemo(url: string, ingestKey: string): Promise<DemoSetup | null> {
  const { pipelines } = await adminRequest<{ pipelines: { id: string; name: string }[] }>(url, ingestKey, '{ pipelines { id name } }');
  const ids: Partial<Record<DemoPipelineKey, string>> = {};
  for (const demo of DEMO_PIPELINES) {
    const existing = pipelines.find((p) => p.name === demo.input.name);
    if (existing) ids[demo.key] = existing.id;
  }
  if (Object.keys(ids).length < DEMO_PIPELINES.length) return null;
  const { runs } = await adminRequest<{ runs: { totalCount: number } }>(
    url,
    ingestKey,
    'query($ids: [ID!]) { runs(first: 1, filter: { pipelineIds: $ids }) { totalCount } }',
    { ids: Object.values(ids) },
  );
  return { pipelineIds: ids as Record<DemoPipelineKey, string>, ingestKey, fresh: runs.totalCount === 0 };
}
