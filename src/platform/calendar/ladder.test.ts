import { describe, expect, it } from 'vitest';
import { calendarFromDates } from './calendar.js';
import { climb } from './ladder.js';

const rungs = ['lurah', 'camat', 'pimpinan'] as const;
const oneWorkingDay = { unit: 'working_days', value: 1 } as const;
// 2026-12-25 (a Friday) is a holiday in this calendar.
const calendar = calendarFromDates('Asia/Jakarta', ['2026-12-25']);

describe('climb', () => {
  it('reaches the first rung on the first step and is due again at the end of the next working day', () => {
    // Thursday 24 December 2026, 10:00 WIB; Friday is a holiday, so the next working day is Monday.
    const step = climb(rungs, 0, new Date('2026-12-24T03:00:00Z'), oneWorkingDay, calendar);
    expect(step).toEqual({ rung: 'lurah', level: 1, nextAt: new Date('2026-12-28T16:59:59.999Z') });
  });

  it('stops at the top: the last rung has no next step, and a level past it stays there', () => {
    const now = new Date('2026-12-21T03:00:00Z');
    expect(climb(rungs, 1, now, oneWorkingDay, calendar)).toMatchObject({ rung: 'camat', level: 2 });
    expect(climb(rungs, 2, now, oneWorkingDay, calendar)).toEqual({ rung: 'pimpinan', level: 3, nextAt: null });
    expect(climb(rungs, 7, now, oneWorkingDay, calendar)).toEqual({ rung: 'pimpinan', level: 8, nextAt: null });
  });

  it('counts clock hours, holidays or not, when the pace is in hours', () => {
    const now = new Date('2026-12-25T03:00:00Z');
    expect(climb(rungs, 0, now, { unit: 'hours', value: 1 }, calendar).nextAt).toEqual(new Date('2026-12-25T04:00:00Z'));
  });

  it('refuses a ladder without rungs', () => {
    expect(() => climb([], 0, new Date(), oneWorkingDay, calendar)).toThrow(RangeError);
  });
});
