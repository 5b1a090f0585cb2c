import { z } from 'zod';
import type { Database, Queryable } from '../../platform/db.js';
import { isUniqueViolation } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import type { AuditRecorder } from '../../platform/audit.js';
import type { Agency } from './schema.js';

/**
 * Agencies: the city's OPD (organisasi perangkat daerah — its own departments and agencies) and
 * external agencies such as the police or the port operator. Heads are officers with the agency as
 * scope and the head flag; they are looked up through identity, not stored twice.
 */
export type AgencyInput = Omit<Agency, 'head'>;

export const agencyInputSchema = z.object({
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and hyphens, 2–40'),
  kind: z.enum(['opd', 'external']),
  name: z.string().min(3).max(200),
  shortName: z.string().min(2).max(40),
  description: z.string().max(1000).nullable().default(null),
});

/** The head of an agency, from identity. */
export type HeadLookup = (code: string) => Promise<{ id: string; name: string } | null>;

/** The city's agencies: listed, named and changed by the admin, each with its head looked up through identity. */
export class AgenciesService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditRecorder,
    private readonly headOf: HeadLookup,
  ) {}

  private async present(row: { code: string; kind: Agency['kind']; name: string; short_name: string; description: string | null }): Promise<Agency> {
    return { code: row.code, kind: row.kind, name: row.name, shortName: row.short_name, description: row.description, head: await this.headOf(row.code) };
  }

  /** Every agency, OPDs first, by name, with its head. */
  async list(): Promise<Agency[]> {
    const rows = await this.db.query<{ code: string; kind: Agency['kind']; name: string; short_name: string; description: string | null }>(
      'select code, kind, name, short_name, description from agencies order by kind, name',
    );
    return Promise.all(rows.map((r) => this.present(r)));
  }

  /** One agency by code, with its head; undefined when there is none. */
  async get(code: string): Promise<Agency | undefined> {
    const row = await this.db.maybeOne<{ code: string; kind: Agency['kind']; name: string; short_name: string; description: string | null }>(
      'select code, kind, name, short_name, description from agencies where code = $1',
      [code],
    );
    return row && this.present(row);
  }

  /** Every agency's names, without heads (for presenting many records at once). */
  async names(): Promise<{ code: string; name: string; shortName: string }[]> {
    return this.db.query<{ code: string; name: string; shortName: string }>('select code, name, short_name as "shortName" from agencies');
  }

  /** Whether an agency with this code exists (inside the caller's transaction when given one). */
  async exists(code: string, q: Queryable = this.db): Promise<boolean> {
    return (await q.maybeOne('select 1 from agencies where code = $1', [code])) !== undefined;
  }

  /** An agency's full name (e.g. for a scope's display name); null when unknown. */
  async name(code: string): Promise<string | null> {
    return (await this.db.maybeOne<{ name: string }>('select name from agencies where code = $1', [code]))?.name ?? null;
  }

  /** Adds an agency (inside the caller's transaction when given); 409 agency_exists on a taken code. */
  async create(input: AgencyInput, actor: { id: string | null; label: string }, tx?: Queryable): Promise<void> {
    const q = tx ?? this.db;
    try {
      await q.query('insert into agencies (code, kind, name, short_name, description) values ($1, $2, $3, $4, $5)', [
        input.code,
        input.kind,
        input.name,
        input.shortName,
        input.description,
      ]);
    } catch (error) {
      if (isUniqueViolation(error)) throw errors.conflict('agency_exists', { id: `Instansi dengan kode ${input.code} sudah ada.`, en: `An agency with code ${input.code} exists.` });
      throw error;
    }
    await this.audit.append({ actor, action: 'agency.created', subject: { type: 'agency', id: input.code }, details: { kind: input.kind } }, tx);
  }

  /** Changes an agency's kind, names or description; audited with the changes. */
  async update(code: string, changes: Partial<Omit<AgencyInput, 'code'>>, actor: { id: string | null; label: string }, ip?: string): Promise<Agency> {
    await this.db.transaction(async (tx) => {
      const row = await tx.maybeOne(
        `update agencies set kind = coalesce($2, kind), name = coalesce($3, name), short_name = coalesce($4, short_name),
           description = case when $5 then $6 else description end, updated_at = now() where code = $1 returning code`,
        [code, changes.kind ?? null, changes.name ?? null, changes.shortName ?? null, changes.description !== undefined, changes.description ?? null],
      );
      if (!row) throw errors.notFound({ id: 'Instansi', en: 'Agency' });
      await this.audit.append({ actor, action: 'agency.updated', subject: { type: 'agency', id: code }, ip, details: { changes } }, tx);
    });
    return (await this.get(code))!;
  }
}

