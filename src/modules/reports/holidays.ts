import type { Database } from '../../platform/db.js';
import { errors } from '../../platform/errors.js';
import type { AuditRecorder } from '../../platform/audit.js';
import { calendarFromDates, indonesianPublicHolidays, localDate, type WorkingCalendar } from '../../platform/calendar/calendar.js';
import type { Holiday } from './schema.js';

/** How long a node trusts its copy of the calendar; another node's change shows within this time. */
const CACHE_MS = 60_000;

/**
 * The holiday calendar behind working-day deadlines. National holidays are seeded from
 * `date-holidays` once per year; the admin corrects them (Islamic holidays can fall a day off the
 * government's decree) and adds the city's cuti bersama days. Edits are never overwritten by a seed.
 */
export class HolidaysService {
  private cached: { at: number; calendar: WorkingCalendar } | undefined;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditRecorder,
    private readonly timezone: string,
  ) {}

  /** Seeds last year, this year and the next two, each at most once. */
  async ensureSeeded(now = new Date()): Promise<number> {
    const year = Number(localDate(now, this.timezone).slice(0, 4));
    let added = 0;
    const seeded = new Set((await this.db.query<{ year: number }>('select year from holiday_years')).map((r) => r.year));
    for (const y of [year - 1, year, year + 1, year + 2]) {
      if (seeded.has(y)) continue;
      const holidays = await indonesianPublicHolidays(y);
      added += await this.db.transaction(async (tx) => {
        const fresh = await tx.maybeOne('insert into holiday_years (year) values ($1) on conflict do nothing returning year', [y]);
        if (!fresh) return 0;
        let n = 0;
        for (const h of holidays) {
          const row = await tx.maybeOne(
            `insert into holidays (date, name, kind, source) values ($1, $2, $3, 'date-holidays') on conflict (date) do nothing returning date`,
            [h.date, h.name, h.kind],
          );
          if (row) n++;
        }
        return n;
      });
    }
    if (added > 0) this.cached = undefined;
    return added;
  }

  /** The holidays of a year (or all), by date. */
  async list(year?: number): Promise<Holiday[]> {
    return this.db.query<Holiday>(
      `select date, name, kind, source from holidays ${year ? `where date between make_date($1, 1, 1) and make_date($1, 12, 31)` : ''} order by date`,
      year ? [year] : [],
    );
  }

  /** The working calendar deadlines are counted on (kept for a minute per node). */
  async calendar(): Promise<WorkingCalendar> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.calendar;
    const rows = await this.db.query<{ date: string }>('select date from holidays');
    const calendar = calendarFromDates(this.timezone, rows.map((r) => r.date));
    this.cached = { at: Date.now(), calendar };
    return calendar;
  }

  /** Sets or corrects a day off; a seed never overwrites it afterwards. */
  async set(holiday: Omit<Holiday, 'source'>, actor: { id: string | null; label: string }): Promise<Holiday> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `insert into holidays (date, name, kind, source) values ($1, $2, $3, 'admin')
         on conflict (date) do update set name = excluded.name, kind = excluded.kind, source = 'admin', updated_at = now()`,
        [holiday.date, holiday.name, holiday.kind],
      );
      await this.audit.append({ actor, action: 'holiday.set', subject: { type: 'holiday', id: holiday.date }, details: { name: holiday.name, kind: holiday.kind } }, tx);
    });
    this.cached = undefined;
    return { ...holiday, source: 'admin' };
  }

  /** Removes a day off (404 when there is none on that date). */
  async remove(date: string, actor: { id: string | null; label: string }): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await tx.maybeOne('delete from holidays where date = $1 returning date', [date]);
      if (!row) throw errors.notFound({ id: 'Hari libur', en: 'Holiday' });
      await this.audit.append({ actor, action: 'holiday.removed', subject: { type: 'holiday', id: date } }, tx);
    });
    this.cached = undefined;
  }
}
