// The values that occur, for filter drop-downs: read from facet_values (a few rows a pipeline, kept by the
// triggers on records and runs), never from a DISTINCT over the records.
import type { DataSource } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import { checkIds, isUuid } from '../domain/ids.js';

export interface Facets {
  entityTypes: string[];
  operationTypes: string[];
  tenantIds: string[];
  errorCodes: string[];
}

const FACETS_SQL = `
SELECT kind, array_agg(DISTINCT value ORDER BY value) AS "values"
FROM (
  SELECT kind, value FROM facet_values
  WHERE ($1::uuid[] IS NULL OR pipeline_id = ANY($1)) AND ($2::text IS NULL OR tenant_id = $2)
  UNION ALL
  SELECT 'tenant_id', tenant_id FROM pipelines
  WHERE tenant_id IS NOT NULL AND ($1::uuid[] IS NULL OR id = ANY($1)) AND ($2::text IS NULL OR tenant_id = $2)
) facets
GROUP BY kind`;

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
