import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calendarFromDates,
  dueAt,
  endOfLocalDay,
  formatDue,
  indonesianPublicHolidays,
  localDate,
  type WorkingCalendar,
} from './calendar.js';

// The national calendar of the years the tests use, loaded once (date-holidays loads on demand).
const SEEDS = new Map(await Promise.all([2024, 2025, 2026, 2027, 2028, 2029].map(async (y) => [y, await indonesianPublicHolidays(y)] as const)));
const holidaysOf = (year: number) => SEEDS.get(year)!;
const holidayDates = (years: number[]) => years.flatMap((y) => holidaysOf(y).map((h) => h.date));
const jakarta = calendarFromDates('Asia/Jakarta', holidayDates([2026, 2027]));
const wd = (value: number) => ({ unit: 'working_days', value }) as const;
const hours = (value: number) => ({ unit: 'hours', value }) as const;
const at = (iso: string) => new Date(iso);

describe('dueAt in working days', () => {
  it('counts from the day after submission and skips the weekend', () => {
    // Friday 27 Nov 2026 16:00 WIB → Mon, Tue, Wed.
    expect(dueAt(at('2026-11-27T16:00:00+07:00'), wd(3), jakarta)).toEqual(at('2026-12-02T23:59:59.999+07:00'));
    expect(dueAt(at('2026-11-27T16:00:00+07:00'), wd(1), jakarta)).toEqual(at('2026-11-30T23:59:59.999+07:00'));
  });

  it('skips Indonesian public holidays from date-holidays', () => {
    // Wed 23 Dec 2026: Thu 24, (Fri 25 Natal, weekend), Mon 28, Tue 29.
    expect(dueAt(at('2026-12-23T10:00:00+07:00'), wd(3), jakarta)).toEqual(at('2026-12-29T23:59:59.999+07:00'));
    // Fri 14 Aug 2026: Mon 17 Aug is Independence Day.
    expect(dueAt(at('2026-08-14T09:00:00+07:00'), wd(1), jakarta)).toEqual(at('2026-08-18T23:59:59.999+07:00'));
  });

  it('skips a cuti bersama date added by configuration', () => {
    const withCuti = calendarFromDates('Asia/Jakarta', [...holidayDates([2026]), '2026-12-24']);
    // Wed 23 Dec 2026: (Thu 24 cuti bersama, Fri 25 Natal, weekend), Mon 28, Tue 29, Wed 30.
    expect(dueAt(at('2026-12-23T10:00:00+07:00'), wd(3), withCuti)).toEqual(at('2026-12-30T23:59:59.999+07:00'));
  });

  it('treats a Saturday submission like the Friday one: counting starts on Sunday', () => {
    expect(dueAt(at('2026-11-28T10:00:00+07:00'), wd(1), jakarta)).toEqual(at('2026-11-30T23:59:59.999+07:00'));
    expect(dueAt(at('2026-11-28T10:00:00+07:00'), wd(3), jakarta)).toEqual(at('2026-12-02T23:59:59.999+07:00'));
  });

  it('value 0 is the end of the same day if it is a working day, else of the next working day', () => {
    expect(dueAt(at('2026-11-27T16:00:00+07:00'), wd(0), jakarta)).toEqual(at('2026-11-27T23:59:59.999+07:00'));
    expect(dueAt(at('2026-11-28T10:00:00+07:00'), wd(0), jakarta)).toEqual(at('2026-11-30T23:59:59.999+07:00'));
    expect(dueAt(at('2026-12-25T08:00:00+07:00'), wd(0), jakarta)).toEqual(at('2026-12-28T23:59:59.999+07:00'));
  });

  it('uses the local date, not the UTC date, late in the evening and just after midnight', () => {
    // 23:30 WIB Thursday is 16:30 UTC the same day.
    expect(dueAt(at('2026-11-26T16:30:00Z'), wd(1), jakarta)).toEqual(at('2026-11-27T23:59:59.999+07:00'));
    // 00:30 WIB Friday is 17:30 UTC on Thursday; by the UTC date the answer would be Friday.
    expect(dueAt(at('2026-11-26T17:30:00Z'), wd(1), jakarta)).toEqual(at('2026-11-30T23:59:59.999+07:00'));
    expect(localDate(at('2026-11-26T17:30:00Z'), 'Asia/Jakarta')).toBe('2026-11-27');
  });

  it('works in WITA and WIT', () => {
    const makassar = calendarFromDates('Asia/Makassar', []);
    const jayapura = calendarFromDates('Asia/Jayapura', []);
    expect(dueAt(at('2026-11-27T16:00:00+08:00'), wd(3), makassar)).toEqual(at('2026-12-02T15:59:59.999Z'));
    // 00:30 WIT Monday is Sunday 15:30 UTC.
    expect(dueAt(at('2026-11-29T15:30:00Z'), wd(1), jayapura)).toEqual(at('2026-12-01T14:59:59.999Z'));
  });

  it('handles a DST zone (Europe/Amsterdam, clocks go back on Sun 25 Oct 2026)', () => {
    const amsterdam = calendarFromDates('Europe/Amsterdam', []);
    expect(dueAt(at('2026-10-23T12:00:00+02:00'), wd(1), amsterdam)).toEqual(at('2026-10-26T23:59:59.999+01:00'));
    expect(endOfLocalDay('2026-10-25', 'Europe/Amsterdam')).toEqual(at('2026-10-25T22:59:59.999Z'));
    expect(endOfLocalDay('2026-03-29', 'Europe/Amsterdam')).toEqual(at('2026-03-29T21:59:59.999Z'));
  });

  it('rejects invalid durations and a calendar without working days', () => {
    const start = at('2026-11-27T16:00:00+07:00');
    expect(() => dueAt(start, wd(1.5), jakarta)).toThrow(RangeError);
    expect(() => dueAt(start, wd(-1), jakarta)).toThrow(RangeError);
    expect(() => dueAt(start, hours(Number.NaN), jakarta)).toThrow(RangeError);
    const never: WorkingCalendar = { timezone: 'Asia/Jakarta', isHoliday: () => true };
    expect(() => dueAt(start, wd(1), never)).toThrow(/No working day/);
    expect(() => calendarFromDates('Asia/Jakarta', ['2026-02-30'])).toThrow(RangeError);
  });
});

describe('dueAt in hours', () => {
  it('adds exact clock hours across midnight and weekends', () => {
    expect(dueAt(at('2026-11-27T20:00:00+07:00'), hours(72), jakarta)).toEqual(at('2026-11-30T20:00:00+07:00'));
    expect(dueAt(at('2026-11-28T23:30:00+07:00'), hours(1), jakarta)).toEqual(at('2026-11-29T00:30:00+07:00'));
    expect(dueAt(at('2026-12-24T22:00:00+07:00'), hours(0.5), jakarta)).toEqual(at('2026-12-24T22:30:00+07:00'));
  });
});

describe('formatDue', () => {
  const due = at('2026-12-02T23:59:59.999+07:00');
  it('formats in Indonesian and English with the Indonesian zone abbreviation', () => {
    expect(formatDue(due, 'Asia/Jakarta', 'id')).toBe('Rabu, 2 Desember 2026 pukul 23.59 WIB');
    expect(formatDue(due, 'Asia/Jakarta', 'en')).toBe('Wednesday, 2 December 2026 at 23:59 WIB');
    expect(formatDue(due, 'Asia/Makassar', 'id')).toBe('Kamis, 3 Desember 2026 pukul 00.59 WITA');
    expect(formatDue(due, 'Asia/Jayapura', 'en')).toBe('Thursday, 3 December 2026 at 01:59 WIT');
    expect(formatDue(due, 'Europe/Amsterdam', 'en')).toBe('Wednesday, 2 December 2026 at 17:59 Europe/Amsterdam');
  });
});

describe('indonesianPublicHolidays', () => {
  const y2026 = holidaysOf(2026);

  it('contains the national days off of 2026, one sorted entry per date', () => {
    expect(y2026).toContainEqual({
      date: '2026-08-17',
      name: 'Hari Ulang Tahun Kemerdekaan Republik Indonesia',
      kind: 'public',
    });
    expect(y2026).toContainEqual({ date: '2026-12-25', name: 'Hari Raya Natal', kind: 'public' });
    const dates = y2026.map((h) => h.date);
    for (const fixed of ['2026-01-01', '2026-05-01', '2026-06-01']) expect(dates).toContain(fixed);
    expect(dates).toEqual([...new Set(dates)].sort());
    expect(dates.every((d) => d.startsWith('2026-'))).toBe(true);
    expect(y2026.every((h) => h.kind === 'public')).toBe(true);
  });

  it('has only days off: every entry is a public holiday in date-holidays, not an observance', async () => {
    const { default: Holidays } = await import('date-holidays');
    const all = new Holidays('ID', { types: ['public', 'bank', 'school', 'optional', 'observance'] });
    for (const { date } of y2026) {
      const found = all.isHoliday(new Date(`${date}T12:00:00+07:00`)) || [];
      expect(found.some((h) => h.type === 'public'), date).toBe(true);
    }
  });

  it('merges names of holidays on the same date and fixes the Isra Mikraj name', () => {
    expect(holidaysOf(2027)).toContainEqual({
      date: '2027-12-25',
      name: 'Isra Mikraj Nabi Muhammad / Hari Raya Natal',
      kind: 'public',
    });
    expect(y2026.find((h) => h.date === '2026-01-16')?.name).toBe('Isra Mikraj Nabi Muhammad');
  });
});

describe('properties', () => {
  const zones = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura', 'Europe/Amsterdam'];
  const realHolidays = holidayDates([2024, 2025, 2026, 2027, 2028, 2029]);
  const utcDay = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay();
  const nextDate = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

  const arbStart = fc.date({ min: at('2024-01-01T00:00:00Z'), max: at('2028-06-30T00:00:00Z'), noInvalidDate: true });
  // Extra configured days off (cuti bersama) at random offsets from 2024-01-01.
  const arbCalendar = fc
    .record({
      zone: fc.constantFrom(...zones),
      extra: fc.uniqueArray(fc.integer({ min: 0, max: 5 * 366 }), { maxLength: 60 }),
    })
    .map(({ zone, extra }) => {
      const extraDates = extra.map((n) => new Date(Date.UTC(2024, 0, 1 + n)).toISOString().slice(0, 10));
      const holidays = new Set([...realHolidays, ...extraDates]);
      return { calendar: calendarFromDates(zone, holidays), holidays };
    });

  it('due is the last millisecond of a local working day', () => {
    fc.assert(
      fc.property(arbStart, fc.integer({ min: 0, max: 30 }), arbCalendar, (start, value, { calendar, holidays }) => {
        const due = dueAt(start, wd(value), calendar);
        const day = localDate(due, calendar.timezone);
        expect(utcDay(day)).not.toBe(0);
        expect(utcDay(day)).not.toBe(6);
        expect(holidays.has(day)).toBe(false);
        expect(localDate(new Date(due.getTime() + 1), calendar.timezone)).toBe(nextDate(day));
        expect(due.getTime()).toBeGreaterThan(start.getTime());
      }),
    );
  });

  it('is monotone in value and lands after exactly `value` working days', () => {
    fc.assert(
      fc.property(arbStart, fc.integer({ min: 1, max: 30 }), arbCalendar, (start, value, { calendar, holidays }) => {
        const due = dueAt(start, wd(value), calendar);
        expect(due.getTime()).toBeGreaterThanOrEqual(dueAt(start, wd(value - 1), calendar).getTime());
        expect(dueAt(start, wd(value + 1), calendar).getTime()).toBeGreaterThan(due.getTime());

        const last = localDate(due, calendar.timezone);
        let working = 0;
        for (let d = nextDate(localDate(start, calendar.timezone)); d <= last; d = nextDate(d)) {
          if (utcDay(d) !== 0 && utcDay(d) !== 6 && !holidays.has(d)) working++;
        }
        expect(working).toBe(value);
      }),
    );
  });

  it('endOfLocalDay is the last instant of the local day, also around DST and odd offsets', () => {
    const anyZone = fc.constantFrom(
      ...zones,
      'America/Santiago',
      'America/Sao_Paulo',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'Pacific/Chatham',
    );
    fc.assert(
      fc.property(fc.date({ min: at('2015-01-01T00:00:00Z'), max: at('2035-01-01T00:00:00Z'), noInvalidDate: true }), anyZone, (t, zone) => {
        const day = localDate(t, zone);
        const end = endOfLocalDay(day, zone);
        expect(end.getTime()).toBeGreaterThanOrEqual(t.getTime());
        expect(localDate(end, zone)).toBe(day);
        expect(localDate(new Date(end.getTime() + 1), zone)).toBe(nextDate(day));
      }),
      { numRuns: 500 },
    );
  });
});
