// Statements on the audit log (services/access/audit.service.ts).
import { seenBy } from './tenancy.js';

/**
 * A page of audit entries, newest first, as AuditEntry's properties: those a key of tenant $1 (NULL: every tenant)
 * sees, older than entry $2 (NULL: from the newest), at most $3 of them.
 */
export const AUDIT_PAGE_SQL = `
SELECT a.id::text AS id, a.at, a.actor, a.actor_key_id AS "actorKeyId", a.tenant_id AS "tenantId", a.action, a.target, a.details
FROM audit_entries a
WHERE ${seenBy('a.tenant_id', '$1::text')} AND ($2::bigint IS NULL OR a.id < $2::bigint)
ORDER BY a.id DESC LIMIT $3`;
