import { z } from 'zod';
import type { Database, Queryable } from '../../platform/db.js';
import { isUniqueViolation } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import type { AuditRecorder } from '../../platform/audit.js';
import type { Neighbours } from './neighbours.js';
import { dueAt, type Duration, type WorkingCalendar } from '../../platform/calendar/calendar.js';

/**
 * Report categories: what a citizen can report, which OPD answers for it, who handles it first,
 * the deadline of each stage and the extra questions (typed as Open311 attributes).
 */
export const QUESTION_TYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

const localised = z.object({ id: z.string().min(1).max(300), en: z.string().min(1).max(300) });

export const questionSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _'),
    label: localised,
    datatype: z.enum(QUESTION_TYPES),
    required: z.boolean().default(false),
    values: z.array(z.object({ key: z.string().min(1).max(60), name: localised })).max(50).optional(),
    order: z.number().int().min(0).max(1000).default(0),
  })
  .refine((q) => !q.datatype.endsWith('valuelist') || (q.values?.length ?? 0) > 0, { message: 'a list question needs values', path: ['values'] });
export type Question = z.infer<typeof questionSchema>;

export const categoryInputSchema = z.object({
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and hyphens, 2–40'),
  name: localised,
  description: z.object({ id: z.string().max(1000), en: z.string().max(1000) }).nullable().default(null),
  group: z.string().regex(/^[a-z0-9-]{2,40}$/),
  icon: z.string().min(1).max(40),
  agencyCode: z.string().max(40),
  firstHandler: z.enum(['kelurahan', 'opd']),
  emergency: z.boolean().default(false),
  deadlines: z.object({ verify: z.number().positive().max(365), dispatch: z.number().positive().max(365), resolve: z.number().positive().max(365) }),
  questions: z.array(questionSchema).max(20).default([]),
  active: z.boolean().default(true),
  sortOrder: z.number().int().min(0).max(10000).default(0),
});
export type CategoryInput = z.input<typeof categoryInputSchema>;

export const categorySchema = categoryInputSchema.extend({ deadlineUnit: z.enum(['working_days', 'hours']) });
export type Category = z.infer<typeof categorySchema>;

export type Stage = 'verify' | 'dispatch' | 'resolve';

export function stageDuration(category: Pick<Category, 'emergency' | 'deadlines'>, stage: Stage): Duration {
  return { unit: category.emergency ? 'hours' : 'working_days', value: category.deadlines[stage] };
}

/** When to warn the handler before a due time: a day before, or a quarter of an emergency stage. */
export function warnBefore(category: Pick<Category, 'emergency' | 'deadlines'>, stage: Stage, start: Date, due: Date): Date {
  const duration = stageDuration(category, stage);
  const lead = duration.unit === 'hours' ? (duration.value * 3600_000) / 4 : 24 * 3600_000;
  return new Date(Math.max(start.getTime(), due.getTime() - lead));
}

/** A stage that starts at `start`: when it is due, and when to warn its handler. */
export function stageTimes(category: Pick<Category, 'emergency' | 'deadlines'>, stage: Stage, start: Date, calendar: WorkingCalendar): { due: Date; warn: Date } {
  const due = dueAt(start, stageDuration(category, stage), calendar);
  return { due, warn: warnBefore(category, stage, start, due) };
}

interface CategoryRow {
  code: string;
  name_id: string;
  name_en: string;
  description_id: string | null;
  description_en: string | null;
  group_code: string;
  icon: string;
  agency_code: string;
  first_handler: 'kelurahan' | 'opd';
  emergency: boolean;
  verify_within: string | number;
  dispatch_within: string | number;
  resolve_within: string | number;
  questions: Question[];
  active: boolean;
  sort_order: number;
}

function present(r: CategoryRow): Category {
  return {
    code: r.code,
    name: { id: r.name_id, en: r.name_en },
    description: r.description_id !== null ? { id: r.description_id, en: r.description_en ?? r.description_id } : null,
    group: r.group_code,
    icon: r.icon,
    agencyCode: r.agency_code,
    firstHandler: r.first_handler,
    emergency: r.emergency,
    deadlineUnit: r.emergency ? 'hours' : 'working_days',
    deadlines: { verify: Number(r.verify_within), dispatch: Number(r.dispatch_within), resolve: Number(r.resolve_within) },
    questions: [...r.questions].sort((a, b) => a.order - b.order),
    active: r.active,
    sortOrder: r.sort_order,
  };
}

const COLUMNS = `code, name_id, name_en, description_id, description_en, group_code, icon, agency_code, first_handler, emergency,
  verify_within, dispatch_within, resolve_within, questions, active, sort_order`;

type Actor = { id: string | null; label: string };

/** A category's values in the order of COLUMNS (`code` first, so updates address it as $1). */
function columnValues(c: z.infer<typeof categoryInputSchema>): unknown[] {
  return [
    c.code,
    c.name.id,
    c.name.en,
    c.description?.id ?? null,
    c.description?.en ?? null,
    c.group,
    c.icon,
    c.agencyCode,
    c.firstHandler,
    c.emergency,
    c.deadlines.verify,
    c.deadlines.dispatch,
    c.deadlines.resolve,
    JSON.stringify(c.questions),
    c.active,
    c.sortOrder,
  ];
}

/** How long a node trusts its copy of the categories; an admin's change on another node shows within it. */
const CACHE_MS = 30_000;

/** The categories citizens file under: read by every submission (cached per node), written by the admin with an audit entry. */
export class CategoriesService {
  private cache: { at: number; byCode: Map<string, Category> } | undefined;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditRecorder,
    private readonly agencyExists: Neighbours['agencyExists'],
  ) {}

  /** The active categories in their display order; the inactive too when asked (the admin's list). */
  async list(options: { includeInactive?: boolean } = {}): Promise<Category[]> {
    const rows = await this.db.query<CategoryRow>(
      `select ${COLUMNS} from report_categories ${options.includeInactive ? '' : 'where active'} order by sort_order, code`,
    );
    return rows.map(present);
  }

  /** For intake, which reads a category on every report. */
  async cached(code: string): Promise<Category | undefined> {
    if (!this.cache || Date.now() - this.cache.at > CACHE_MS) {
      this.cache = { at: Date.now(), byCode: new Map((await this.list({ includeInactive: true })).map((c) => [c.code, c])) };
    }
    return this.cache.byCode.get(code);
  }

  /** When the list last changed (a category or its questions): Open311 discovery's changeset. */
  async changedAt(): Promise<Date | null> {
    return (await this.db.one<{ at: Date | null }>('select max(updated_at) as at from report_categories')).at;
  }

  /** One category as stored now (inside `q`'s transaction when given). */
  async get(code: string, q: Queryable = this.db): Promise<Category | undefined> {
    const row = await q.maybeOne<CategoryRow>(`select ${COLUMNS} from report_categories where code = $1`, [code]);
    return row && present(row);
  }

  private async checkAgency(q: Queryable, code: string): Promise<void> {
    if (!(await this.agencyExists(code, q))) {
      throw errors.unprocessable('agency_unknown', { id: `Instansi ${code} tidak dikenal.`, en: `Unknown agency ${code}.` }, { field: 'agencyCode' });
    }
  }

  /** Adds a category (409 when its code exists, 422 for an unknown agency). */
  async create(input: CategoryInput, actor: Actor, tx?: Queryable): Promise<Category> {
    const c = categoryInputSchema.parse(input);
    assertDeadlineUnits(c);
    const q = tx ?? this.db;
    await this.checkAgency(q, c.agencyCode);
    try {
      await q.query(
        `insert into report_categories (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        columnValues(c),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw errors.conflict('category_exists', { id: `Kategori ${c.code} sudah ada.`, en: `Category ${c.code} exists.` });
      throw error;
    }
    this.cache = undefined;
    await this.audit.append({ actor, action: 'category.created', subject: { type: 'report_category', id: c.code }, details: { agency: c.agencyCode } }, tx);
    return (await this.get(c.code, q))!;
  }

  /** Changes some of a category's fields; the result is checked as a whole. */
  async update(code: string, changes: Partial<Omit<z.infer<typeof categoryInputSchema>, 'code'>>, actor: Actor): Promise<Category> {
    const current = await this.get(code);
    if (!current) throw errors.notFound({ id: 'Kategori', en: 'Category' });
    const next = categoryInputSchema.parse({ ...current, ...changes, code });
    assertDeadlineUnits(next);
    await this.db.transaction(async (tx) => {
      await this.checkAgency(tx, next.agencyCode);
      await tx.query(
        `update report_categories set name_id = $2, name_en = $3, description_id = $4, description_en = $5, group_code = $6, icon = $7,
           agency_code = $8, first_handler = $9, emergency = $10, verify_within = $11, dispatch_within = $12, resolve_within = $13,
           questions = $14, active = $15, sort_order = $16, updated_at = now() where code = $1`,
        columnValues(next),
      );
      await this.audit.append({ actor, action: 'category.updated', subject: { type: 'report_category', id: code }, details: { fields: Object.keys(changes) } }, tx);
    });
    this.cache = undefined;
    return (await this.get(code))!;
  }
}

/** Working days are whole days; only emergency categories count (fractional) hours. */
function assertDeadlineUnits(c: Pick<Category, 'emergency' | 'deadlines'>): void {
  if (!c.emergency && !Object.values(c.deadlines).every(Number.isInteger)) {
    throw errors.badRequest(
      'deadline_not_whole_days',
      { id: 'Tenggat kategori biasa dihitung dalam hari kerja utuh (1, 2, 3, …). Hanya kategori darurat yang memakai jam.', en: 'Deadlines of a normal category are whole working days; only emergency categories use hours.' },
      { field: 'deadlines' },
    );
  }
}

/** Answers to a category's questions, checked and normalised; unknown questions are refused. */
export function validateAnswers(questions: Question[], raw: Record<string, unknown> | undefined): Record<string, string | number | string[]> {
  const answers = raw ?? {};
  const out: Record<string, string | number | string[]> = {};
  const fail = (q: Question, id: string, en: string) =>
    errors.badRequest('answer_invalid', { id: `Jawaban "${q.label.id}" ${id}`, en: `Answer "${q.label.en}" ${en}` }, { field: `answers.${q.code}` });
  for (const key of Object.keys(answers)) {
    if (!questions.some((q) => q.code === key)) {
      throw errors.badRequest('answer_unknown', { id: `Pertanyaan "${key}" tidak ada pada kategori ini.`, en: `This category has no question "${key}".` }, { field: `answers.${key}` });
    }
  }
  for (const q of questions) {
    const value = answers[q.code];
    const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
    if (empty) {
      if (q.required) throw fail(q, 'wajib diisi.', 'is required.');
      continue;
    }
    const keys = new Set((q.values ?? []).map((v) => v.key));
    switch (q.datatype) {
      case 'string':
      case 'text': {
        if (typeof value !== 'string' && typeof value !== 'number') throw fail(q, 'harus berupa teks.', 'must be text.');
        const text = String(value).trim();
        if (text.length > (q.datatype === 'string' ? 300 : 3000)) throw fail(q, 'terlalu panjang.', 'is too long.');
        out[q.code] = text;
        break;
      }
      case 'number': {
        const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.replace(',', '.')) : NaN;
        if (!Number.isFinite(n)) throw fail(q, 'harus berupa angka.', 'must be a number.');
        out[q.code] = n;
        break;
      }
      case 'datetime': {
        const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
        if (Number.isNaN(d.getTime())) throw fail(q, 'harus berupa tanggal/waktu yang valid.', 'must be a valid date/time.');
        out[q.code] = d.toISOString();
        break;
      }
      case 'singlevaluelist': {
        const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
        if (typeof v !== 'string' || !keys.has(v)) throw fail(q, 'harus salah satu pilihan yang tersedia.', 'must be one of the offered choices.');
        out[q.code] = v;
        break;
      }
      case 'multivaluelist': {
        const list = Array.isArray(value) ? value : [value];
        if (!list.every((v): v is string => typeof v === 'string' && keys.has(v))) throw fail(q, 'berisi pilihan yang tidak tersedia.', 'contains a choice that is not offered.');
        out[q.code] = [...new Set(list)];
        break;
      }
    }
  }
  return out;
}
