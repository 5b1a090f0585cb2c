import { z } from 'zod';
import { randomToken, sha256 } from '../../../platform/crypto.js';
import type { Database } from '../../../platform/db.js';
import { errors } from '../../../platform/errors.js';
import { errorSchema, type HttpApp } from '../../../platform/http.js';
import type { AuditRecorder } from '../../../platform/audit.js';
import { reportsPolicy } from '../policy.js';
import { open311KeySchema, type Open311Key } from '../schema.js';

/** Keys for Open311 clients: only a hash is stored; the key is shown once, when it is made. */
export class Open311Keys {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditRecorder,
  ) {}

  /** Makes a key: the key itself is returned this once, only its hash is kept. */
  async create(name: string, actor: { id: string | null; label: string }): Promise<{ key: string; record: Open311Key }> {
    const key = `sk311_${randomToken(24)}`;
    const record = await this.db.transaction(async (tx) => {
      const row = await tx.one<{ id: string }>('insert into open311_keys (name, key_hash, key_prefix) values ($1, $2, $3) returning id', [name, sha256(key), key.slice(0, 10)]);
      await this.audit.append({ actor, action: 'open311_key.created', subject: { type: 'open311_key', id: row.id }, details: { name } }, tx);
      return row;
    });
    return { key, record: (await this.list()).find((k) => k.id === record.id)! };
  }

  /** Every key, revoked ones too, oldest first (without the keys themselves). */
  async list(): Promise<Open311Key[]> {
    const rows = await this.db.query<{ id: string; name: string; key_prefix: string; created_at: Date; revoked_at: Date | null; last_used_at: Date | null }>(
      'select id, name, key_prefix, created_at, revoked_at, last_used_at from open311_keys order by created_at',
    );
    return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.key_prefix, createdAt: r.created_at.toISOString(), revokedAt: r.revoked_at?.toISOString() ?? null, lastUsedAt: r.last_used_at?.toISOString() ?? null }));
  }

  /** Revokes a key (404 when there is none with that id). */
  async revoke(id: string, actor: { id: string | null; label: string }): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await tx.maybeOne('update open311_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning id', [id]);
      if (!row) throw errors.notFound({ id: 'Kunci Open311', en: 'Open311 key' });
      await this.audit.append({ actor, action: 'open311_key.revoked', subject: { type: 'open311_key', id } }, tx);
    });
  }

  /** The key's id when it is valid and not revoked. */
  async check(key: string): Promise<string | undefined> {
    const row = await this.db.maybeOne<{ id: string }>('update open311_keys set last_used_at = now() where key_hash = $1 and revoked_at is null returning id', [sha256(key)]);
    return row?.id;
  }
}

/** The admin's key management: list, make (the key is shown once) and revoke. */
export function open311KeyRoutes(app: HttpApp, keys: Open311Keys): void {
  const errs = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
  app.get('/api/v1/open311-keys', { schema: { tags: ['open311'], summary: 'Open311 API keys (admin)', response: { 200: z.object({ keys: z.array(open311KeySchema) }), ...errs } } }, async (request) => {
    reportsPolicy.authorize(request.principal, 'open311_keys.manage');
    return { keys: await keys.list() };
  });
  app.post(
    '/api/v1/open311-keys',
    { schema: { tags: ['open311'], summary: 'Make an Open311 API key (admin); the key is shown only in this answer', body: z.object({ name: z.string().trim().min(2).max(100) }), response: { 201: z.object({ key: z.string(), record: open311KeySchema }), ...errs } } },
    async (request, reply) => {
      const p = reportsPolicy.authorize(request.principal, 'open311_keys.manage');
      return reply.status(201).send(await keys.create(request.body.name, { id: p.userId, label: p.role }));
    },
  );
  app.delete(
    '/api/v1/open311-keys/:id',
    { schema: { tags: ['open311'], summary: 'Revoke an Open311 API key (admin)', params: z.object({ id: z.uuid() }), response: { 204: z.null(), ...errs } } },
    async (request, reply) => {
      const p = reportsPolicy.authorize(request.principal, 'open311_keys.manage');
      await keys.revoke(request.params.id, { id: p.userId, label: p.role });
      return reply.status(204).send(null);
    },
  );
}
