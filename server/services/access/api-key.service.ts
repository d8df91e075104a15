import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DataSource, IsNull } from 'typeorm';
import { type Actor, seenTenant, sees, tenantFor } from '../../domain/actor.js';
import { Role } from '../../domain/enums.js';
import { notFound } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { optionalText, requiredText } from '../../domain/text-limits.js';
import { ApiKey } from '../../entities/ApiKey.js';
import { CREATE_FIRST_ADMIN_KEY_SQL, ENSURE_ADMIN_KEY_SQL } from '../../sql/api-keys.js';
import type { AuditService } from './audit.service.js';

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');
const newSecret = () => `sw_${randomBytes(24).toString('base64url')}`;

const CACHE_MS = 5_000;

export interface ApiKeyInput {
  name: string;
  role: Role;
  tenantId?: string | null;
}

/** NOTIFY channel of key revocations (payload: the key's id). */
const REVOKED_CHANNEL = 'syncwatch_api_key_revoked';

export class ApiKeyService {
  /** Recently seen keys by hash, so each request does not cost a query; revocation clears it. */
  private readonly cache = new Map<string, { actor: Actor | null; until: number }>();

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async authenticate(secret: string): Promise<Actor | null> {
    const hash = hashSecret(secret);
    const cached = this.cached(hash);
    if (cached !== undefined) return cached;
    const key = await this.db.getRepository(ApiKey).findOneBy({ secretHash: hash });
    const actor = key && !key.revokedAt ? toActor(key) : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { actor, until: Date.now() + CACHE_MS });
    return actor;
  }

  /** What authenticate would answer from the cache alone, without a query; undefined when it would have to ask. */
  knownActor(secret: string): Actor | null | undefined {
    return this.cached(hashSecret(secret));
  }

  private cached(hash: string): Actor | null | undefined {
    const cached = this.cache.get(hash);
    return cached && cached.until > Date.now() ? cached.actor : undefined;
  }

  /** Whether a key is still valid, bypassing the cache (long-lived sockets check this). */
  async isActive(keyId: string): Promise<boolean> {
    const key = await this.db.getRepository(ApiKey).findOneBy({ id: keyId });
    return !!key && !key.revokedAt;
  }

  /** Keys not revoked, oldest first; a tenant-bound admin sees its tenant's keys. */
  list(actor: Actor): Promise<ApiKey[]> {
    return this.db.getRepository(ApiKey).find({
      where: { revokedAt: IsNull(), ...seenTenant(actor) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async create(actor: Actor, input: ApiKeyInput): Promise<{ key: ApiKey; secret: string }> {
    const name = requiredText(input.name, 'input.name');
    const tenantId = tenantFor(actor, optionalText(input.tenantId, 'input.tenantId'));
    const secret = newSecret();
    return this.db.transaction(async (manager) => {
      const key = manager.create(ApiKey, { name, role: input.role, tenantId, secretHash: hashSecret(secret) });
      await manager.save(key);
      await this.audit.write(manager, actor, 'createApiKey', `apiKey:${key.id}`, { name, role: input.role, tenantId }, tenantId);
      return { key, secret };
    });
  }

  async revoke(actor: Actor, id: string): Promise<boolean> {
    const revoked = await this.db.transaction(async (manager) => {
      const key = isUuid(id) ? await manager.findOneBy(ApiKey, { id }) : null;
      if (!key || !sees(actor, key.tenantId)) throw notFound('API key', id);
      if (key.revokedAt) return false;
      key.revokedAt = new Date();
      await manager.save(key);
      await this.audit.write(manager, actor, 'revokeApiKey', `apiKey:${id}`, { name: key.name }, key.tenantId);
      return true;
    });
    if (revoked) {
      // After the commit, on a statement of its own (a NOTIFY inside a writing transaction serialises commits, issue
      // 25), to every instance listening (listenForRevocations), this one included. Should it be lost, the other
      // instances' caches forget the key within CACHE_MS anyway.
      await this.db.query('SELECT pg_notify($1, $2)', [REVOKED_CHANNEL, id]).catch(() => {});
      // After the commit: a request between clear and commit would otherwise cache the key as still valid.
      this.revoked(id);
    }
    return revoked;
  }

  private readonly revocationListeners = new Set<(keyId: string) => void>();

  /** Called with the id of every key revoked on any instance (once listenForRevocations runs). */
  onRevoked(listener: (keyId: string) => void): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  private revoked(keyId: string): void {
    this.cache.clear();
    for (const listener of this.revocationListeners) listener(keyId);
  }

  /**
   * LISTENs for revocations made by any instance: the cache is cleared and listeners told at once,
   * not after the cache's lifetime. Returns the function that stops listening.
   */
  async listenForRevocations(databaseUrl: string, onError: (error: unknown) => void): Promise<() => Promise<void>> {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('error', onError);
    client.on('notification', (message) => {
      if (message.channel === REVOKED_CHANNEL && message.payload) this.revoked(message.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${REVOKED_CHANNEL}`);
    return async () => {
      await client.end().catch(() => {});
    };
  }

  /** Makes sure an admin key with this secret exists (ADMIN_API_KEY). */
  /**
   * Creates the admin key of ADMIN_API_KEY if no key has that secret. A revoked key with it stays revoked
   * (a leaked secret that was revoked must not come back with a restart): false then, the key unusable.
   */
  async ensureAdminKey(secret: string): Promise<boolean> {
    const rows: { usable: boolean }[] = await this.db.query(ENSURE_ADMIN_KEY_SQL, [hashSecret(secret)]);
    return rows.length > 0;
  }

  /** On an empty database, creates a first admin key and returns its secret; otherwise null. */
  async createFirstAdminKey(): Promise<string | null> {
    const secret = newSecret();
    const rows: unknown[] = await this.db.query(CREATE_FIRST_ADMIN_KEY_SQL, [hashSecret(secret)]);
    return rows.length > 0 ? secret : null;
  }
}

export const toActor = (key: ApiKey): Actor => ({ keyId: key.id, name: key.name, role: key.role, tenantId: key.tenantId });
