// The values that occur, for filter drop-downs: read from facet_values (server/sql/facets.ts).
import type { DataSource } from 'typeorm';
import type { Actor } from '../../domain/actor.js';
import { checkIds, isUuid } from '../../domain/ids.js';
import { FACETS_SQL } from '../../sql/facets.js';

export interface Facets {
  entityTypes: string[];
  operationTypes: string[];
  tenantIds: string[];
  errorCodes: string[];
}

export class FacetService {
  constructor(private readonly db: DataSource) {}

  async facets(actor: Actor, pipelineIds: string[] | null | undefined): Promise<Facets> {
    checkIds(pipelineIds, isUuid, 'pipelineIds');
    const rows: { kind: string; values: string[] }[] = await this.db.query(FACETS_SQL, [pipelineIds ?? null, actor.tenantId]);
    const of = (kind: string) => rows.find((row) => row.kind === kind)?.values ?? [];
    return {
      entityTypes: of('entity_type'),
      operationTypes: of('operation_type'),
      tenantIds: of('tenant_id'),
      errorCodes: of('error_code'),
    };
  }
}
