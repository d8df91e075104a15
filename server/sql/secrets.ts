// Secrets every instance shares (services/access/server-secrets.ts), kept in the database.

/** Stores secret $2 under name $1 unless one exists: of two instances starting at once, the first wins. */
export const INSERT_SECRET_SQL = 'INSERT INTO server_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING';

/** The secret named $1. */
export const SECRET_SQL = 'SELECT secret FROM server_secrets WHERE name = $1';
