// Statements on API keys that their entity's repository does not answer (services/access/api-key.service.ts).

/**
 * Creates the admin key of ADMIN_API_KEY (secret hash $1) if no key has that secret; an existing unrevoked one is
 * made an unbound ADMIN again. A revoked key with it stays revoked (a leaked secret that was revoked must not come
 * back with a restart): no row then.
 */
export const ENSURE_ADMIN_KEY_SQL = `
INSERT INTO api_keys (name, role, secret_hash) VALUES ('admin (ADMIN_API_KEY)', 'ADMIN', $1)
ON CONFLICT (secret_hash) DO UPDATE SET role = 'ADMIN', tenant_id = NULL WHERE api_keys.revoked_at IS NULL
RETURNING true AS usable`;

/** On an empty key table only, creates a first admin key with secret hash $1; returns its id, else no row. */
export const CREATE_FIRST_ADMIN_KEY_SQL = `
INSERT INTO api_keys (name, role, secret_hash)
SELECT 'first admin', 'ADMIN', $1 WHERE NOT EXISTS (SELECT 1 FROM api_keys) RETURNING id`;
