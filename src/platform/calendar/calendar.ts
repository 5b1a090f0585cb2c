
/** How long a report may stay in a stage: working days (normal categories) or clock hours (emergencies). */
export type Duration = { unit: 'working_days'; value: number } | { unit: 'hours'; value: number };

export interface WorkingCalendar {
  /** IANA zone of the city, e.g. 'Asia/Jakarta'. */
  timezone: string;
  /** isoDate is 'YYYY-MM-DD' in the city's zone. */
  isHoliday(isoDate: string): boolean;
}

export interface HolidaySeed {
  date: string;
  name: string;
  kind: 'public' | 'cuti_bersama';
}

const DAY_MS = 86_400_000;
/** Give up when this many consecutive days contain no working day (a calendar marking everything a holiday). */
const MAX_DAYS_WITHOUT_WORK = 3660;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseIsoDate(isoDate: string): number {
  const m = ISO_DATE.exec(isoDate);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== isoDate) {
    throw new RangeError(`Invalid date '${isoDate}', expected YYYY-MM-DD`);
  }
  return ms;
}

/** Calendar arithmetic on plain dates is zone-free, so it is done on UTC midnights. */
function addDays(isoDate: string, days: number): string {
  return new Date(parseIsoDate(isoDate) + days * DAY_MS).toISOString().slice(0, 10);
}

function isWeekend(isoDate: string): boolean {
  const weekday = new Date(parseIsoDate(isoDate)).getUTCDay();
  return weekday === 0 || weekday === 6;
}

function isWorkingDay(isoDate: string, calendar: WorkingCalendar): boolean {
  return !isWeekend(isoDate) && !calendar.isHoliday(isoDate);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(timezone: string): Intl.DateTimeFormat {
  let format = dateFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dateFormats.set(timezone, format);
  }
  return format;
}

/** The calendar date ('YYYY-MM-DD') of an instant as seen on a wall clock in `timezone`. */
export function localDate(instant: Date, timezone: string): string {
  if (Number.isNaN(instant.getTime())) throw new RangeError('Invalid date');
  const parts = dateFormat(timezone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

/**
 * The last millisecond of `isoDate` in `timezone` (23:59:59.999 local), as a UTC instant.
 *
 * Found as "one millisecond before the next local day starts" by binary search over seconds
 * rather than by offset arithmetic, so DST gaps and repeated hours at midnight need no special cases.
 */
export function endOfLocalDay(isoDate: string, timezone: string): Date {
  const key = `${timezone}|${isoDate}`;
  const known = endsOfDays.get(key);
  if (known !== undefined) return new Date(known);
  const end = searchEndOfLocalDay(isoDate, timezone);
  // ~17 formatter calls per search, and every deadline needs one: remember the few recent days.
  if (endsOfDays.size >= 4096) endsOfDays.clear();
  endsOfDays.set(key, end.getTime());
  return end;
}

const endsOfDays = new Map<string, number>();

function searchEndOfLocalDay(isoDate: string, timezone: string): Date {
  const next = addDays(isoDate, 1);
  const wallMidnight = parseIsoDate(next) / 1000;
  // UTC offsets lie within ±15 h (incl. historical LMT), so local midnight lies in this bracket.
  let lo = wallMidnight - 16 * 3600; // local date is still before `next`
  let hi = wallMidnight + 16 * 3600; // local date is already `next` or later
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(new Date(mid * 1000), timezone) < next) lo = mid;
    else hi = mid;
  }
  return new Date(hi * 1000 - 1);
}

/** When a stage that started at `start` and may take `duration` is due. */
export function dueAt(start: Date, duration: Duration, calendar: WorkingCalendar): Date {
  if (Number.isNaN(start.getTime())) throw new RangeError('Invalid start date');

  if (duration.unit === 'hours') {
    if (!Number.isFinite(duration.value) || duration.value < 0) {
      throw new RangeError(`Invalid duration: ${duration.value} hours`);
    }
    return new Date(start.getTime() + duration.value * 3_600_000);
  }

  if (!Number.isInteger(duration.value) || duration.value < 0) {
    throw new RangeError(`Invalid duration: ${duration.value} working days`);
  }
  // Counting starts on the day after submission; value 0 means "today if it is a working day".
  let day = localDate(start, calendar.timezone);
  let remaining = duration.value;
  if (remaining === 0) {
    day = addDays(day, -1);
    remaining = 1;
  }
  let idle = 0;
  while (remaining > 0) {
    day = addDays(day, 1);
    if (isWorkingDay(day, calendar)) {
      remaining--;
      idle = 0;
    } else if (++idle >= MAX_DAYS_WITHOUT_WORK) {
      throw new Error(`No working day in ${MAX_DAYS_WITHOUT_WORK} days after ${day}; check the holiday calendar`);
    }
  }
  return endOfLocalDay(day, calendar.timezone);
}

const ZONE_ABBREVIATIONS: Record<string, string> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

/** 'Rabu, 2 Desember 2026 pukul 23.59 WIB' / 'Wednesday, 2 December 2026 at 23:59 WIB'. */
// Building an Intl.DateTimeFormat costs far more than using one; every listed report formats its due times.
const dueFormatters = new Map<string, Intl.DateTimeFormat>();
function dueFormatter(lang: 'id' | 'en', timezone: string): Intl.DateTimeFormat {
  const key = `${lang}|${timezone}`;
  let f = dueFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', {
      timeZone: timezone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dueFormatters.set(key, f);
  }
  return f;
}

export function formatDue(due: Date, timezone: string, lang: 'id' | 'en'): string {
  const parts = dueFormatter(lang, timezone).formatToParts(due);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // Assembled from parts so the punctuation does not change with the ICU version.
  const date = `${part('weekday')}, ${part('day')} ${part('month')} ${part('year')}`;
  const zone = ZONE_ABBREVIATIONS[timezone] ?? timezone;
  return lang === 'id'
    ? `${date} pukul ${part('hour')}.${part('minute')} ${zone}`
    : `${date} at ${part('hour')}:${part('minute')} ${zone}`;
}

/** date-holidays (3.37) gives 27 Rajab the Indonesian name of the Prophet's birthday; it is Isra Mikraj. */
const NAME_FIXES: Record<string, string> = { '27 Rajab': 'Isra Mikraj Nabi Muhammad' };

/**
 * National days off in Indonesia for `year`, from date-holidays, one entry per date, sorted.
 * Cuti bersama are decreed yearly (SKB) and are not in date-holidays; add them by configuration.
 */
export async function indonesianPublicHolidays(year: number): Promise<HolidaySeed[]> {
  // Loaded on demand: its rule tables are large and needed only when a year is seeded.
  const { default: Holidays } = await import('date-holidays');
  const byDate = new Map<string, string[]>();
  for (const holiday of new Holidays('ID').getHolidays(year, 'id')) {
    if (holiday.type !== 'public') continue;
    const name = NAME_FIXES[holiday.rule] ?? holiday.name;
    const days = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / DAY_MS));
    for (let i = 0; i < days; i++) {
      const date = addDays(holiday.date.slice(0, 10), i);
      const names = byDate.get(date) ?? [];
      if (!names.includes(name)) names.push(name);
      byDate.set(date, names);
    }
  }
  return [...byDate]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, names]) => ({ date, name: names.join(' / '), kind: 'public' as const }));
}

/** A calendar whose holidays are exactly `dates` ('YYYY-MM-DD'; validated). */
export function calendarFromDates(timezone: string, dates: Iterable<string>): WorkingCalendar {
  dateFormat(timezone); // throws RangeError for an unknown zone
  const holidays = new Set<string>();
  for (const date of dates) {
    parseIsoDate(date);
    holidays.add(date);
  }
  return { timezone, isHoliday: (isoDate) => holidays.has(isoDate) };
}
