// The records an operator's bulk mutation acts on: ids (at most 1,000, each must exist) or a filter, within what
// the actor sees, as SQL selecting the original records' ids; and the walk over them in chunks.
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../../domain/actor.js';
import type { RecordStatus } from '../../domain/enums.js';
import { badInput, notFound } from '../../domain/errors.js';
import { checkIdCount, echoIds, isSerialId, isUuid } from '../../domain/ids.js';
import { selectedIdsSql, selectionChunkSql, VISIBLE_RUN_SQL } from '../../sql/retries.js';
import { asksForAttempts, preparedRecordConditions, type RecordFilter } from './filters.js';

export interface Selection {
  ids?: string[] | null;
  filter?: RecordFilter | null;
}

/** SQL selecting record ids, with its parameters. */
export interface SelectedSql {
  sql: string;
  params: unknown[];
}

/** Records one transaction of a bulk operator mutation by filter takes (see inChunks). */
export const BULK_CHUNK_SIZE = 5_000;

/**
 * SQL selecting the ids of the original records matching ids and/or a filter, within what the actor sees:
 * a retry run's record stands for its original, which operators retry. Unknown or malformed ids are NOT_FOUND.
 */
export async function selectedRecords(manager: EntityManager, actor: Actor, selection: Selection): Promise<SelectedSql> {
  const { ids, filter } = selection;
  if (ids == null && filter == null) throw badInput('give the records as ids or as a filter');
  checkIdCount(ids, 'ids');
  // An id of another shape names no record: NOT_FOUND, like an unknown one.
  const malformed = ids?.filter((id) => !isSerialId(id)) ?? [];
  if (malformed.length > 0) throw notFound('record', echoIds(malformed));
  const { conditions, values } = preparedRecordConditions('rec', actor, { ...filter, ids: ids ?? filter?.ids });
  if (ids?.length && filter == null) {
    const found: { id: string }[] = await manager.query(selectedIdsSql('rec.id', conditions), values);
    const existing = new Set(found.map((row) => String(row.id)));
    const missing = ids.filter((id) => !existing.has(id));
    if (missing.length > 0) throw notFound('record', echoIds(missing));
  }
  // Without attempts in the match every row is an original: its plain id keeps the index semi-join.
  const originalId = asksForAttempts({ ...filter, ids }) ? 'COALESCE(rec.origin_record_id, rec.id)' : 'rec.id';
  return { sql: selectedIdsSql(originalId, conditions), params: values };
}

/** NOT_FOUND unless the actor sees the run (an id of another shape names no run). A database error stays an error. */
export async function requireVisibleRun(manager: EntityManager, actor: Actor, runId: string): Promise<void> {
  if (!isUuid(runId)) throw notFound('run', runId);
  const [{ visible }]: { visible: boolean }[] = await manager.query(VISIBLE_RUN_SQL, [runId, actor.tenantId]);
  if (!visible) throw notFound('run', runId);
}

/**
 * Works through the records a selection matches in `eligible` statuses: ids in one transaction; a filter in
 * transactions of `chunkSize` records each, in id order, so a large selection never holds one long transaction and
 * its locks. `work` gets SQL selecting the chunk's ids, and whether it is the last chunk (the place for the audit
 * entry). A chunk's records are re-checked by `work` (a record may change between chunks). With `runId`, the run
 * must be visible to the actor. `committed` is called after each chunk's transaction commits.
 */
export async function inChunks(
  db: DataSource,
  actor: Actor,
  selection: Selection,
  eligible: RecordStatus[],
  chunkSize: number,
  work: (manager: EntityManager, chunk: SelectedSql, last: boolean) => Promise<unknown>,
  runId?: string,
  committed: () => void = () => {},
): Promise<void> {
  let after = '0';
  for (;;) {
    const done = await db.transaction(async (manager) => {
      if (runId) await requireVisibleRun(manager, actor, runId);
      const { sql, params } = await selectedRecords(manager, actor, selection);
      if (!selection.filter) {
        await work(manager, { sql, params }, true);
        return true;
      }
      const ids: { id: string }[] = await manager.query(selectionChunkSql(sql, params.length), [...params, eligible, after, chunkSize]);
      const last = ids.length < chunkSize;
      if (ids.length > 0) after = String(ids[ids.length - 1].id);
      await work(manager, { sql: `SELECT unnest($1::bigint[])`, params: [ids.map((row) => row.id)] }, last);
      return last;
    });
    committed();
    if (done) return;
  }
}
