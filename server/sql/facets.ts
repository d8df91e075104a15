// The values that occur, for filter drop-downs (services/analytics/facet.service.ts): read from facet_values (a few rows a
// pipeline, kept by the triggers on records and runs), never from a DISTINCT over the records.
import { seenBy } from './tenancy.js';

/**
 * Each facet kind with its distinct values, in order: of pipelines $1 (every pipeline when null) and tenant $2
 * (every tenant when null). Tenant ids come from the pipelines themselves.
 */
export const FACETS_SQL = `
SELECT kind, array_agg(DISTINCT value ORDER BY value) AS "values"
FROM (
  SELECT kind, value FROM facet_values
  WHERE ($1::uuid[] IS NULL OR pipeline_id = ANY($1)) AND ${seenBy('tenant_id', '$2::text')}
  UNION ALL
  SELECT 'tenant_id', tenant_id FROM pipelines
  WHERE tenant_id IS NOT NULL AND ($1::uuid[] IS NULL OR id = ANY($1)) AND ${seenBy('tenant_id', '$2::text')}
) facets
GROUP BY kind`;
