import type { DataSource } from 'typeorm';
import { type Actor, sees } from '../../domain/actor.js';
import { RunSortField, SortDirection } from '../../domain/enums.js';
import { isUuid } from '../../domain/ids.js';
import { SyncRun } from '../../entities/SyncRun.js';
import { preparedRunConditions, type RunFilter } from './filters.js';
import { entitiesByIds } from './hydrate.js';
import { keysetPage, type Page, type SortKey } from './keyset.js';

export interface RunOrder {
  field: RunSortField;
  direction: SortDirection;
}

const SORT_KEYS: Record<RunSortField, SortKey> = {
  STARTED_AT: { field: 'STARTED_AT', expression: 'r.started_sort', type: 'timestamptz' },
  ENDED_AT: { field: 'ENDED_AT', expression: 'r.ended_sort', type: 'timestamptz' },
};

export const DEFAULT_RUN_ORDER: RunOrder = { field: RunSortField.STARTED_AT, direction: SortDirection.DESC };

/** Reads runs, always within what the actor may see. */
export class RunQueryService {
  constructor(private readonly db: DataSource) {}

  list(
    actor: Actor,
    filter: RunFilter | null | undefined,
    order: RunOrder | null | undefined,
    first: number,
    after?: string | null,
    /** Properties the caller reads (the id always comes); undefined: all. */
    columns?: readonly string[],
  ): Promise<Page<SyncRun>> {
    const where = preparedRunConditions('r', actor, filter);
    const { field, direction } = order ?? DEFAULT_RUN_ORDER;
    return keysetPage({ db: this.db, entity: SyncRun, alias: 'r', where }, SORT_KEYS[field], direction, first, after, isUuid, columns);
  }

  async find(actor: Actor, id: string): Promise<SyncRun | null> {
    if (!isUuid(id)) return null;
    const run = await this.db.getRepository(SyncRun).findOneBy({ id });
    if (!run || !sees(actor, run.tenantId)) return null;
    return run;
  }

  /** Runs by id for DataLoader, in the order asked; callers already hold a visible child. */
  async byIds(ids: readonly string[]): Promise<(SyncRun | null)[]> {
    return entitiesByIds(this.db, SyncRun, ids);
  }
}
