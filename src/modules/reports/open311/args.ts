/**
 * Reading GeoReport v2 arguments as the spec means them (an empty argument is an absent one, lists
 * are comma-separated, dates carry their zone), and refusing them in the spec's shape.
 */
import type { LocalisedText } from '../../../platform/errors.js';

/** A refusal in the spec's shape; its text in the client's language, like every other answer here. */
export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    readonly text: LocalisedText,
  ) {
    super(text.en);
  }
}
export const invalid = (id: string, en: string) => new Open311Error(400, { id, en });
export const missing = (id: string, en: string) => new Open311Error(404, { id, en });
export const noSuchResource = (path: string) => missing(`Sumber daya ${path} tidak ada.`, `There is no resource ${path}.`);

export function text(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s; // the spec: an empty argument is an absent one
}

/** A comma-separated argument as a list, or undefined when it is absent or empty. */
export function list(value: unknown): string[] | undefined {
  const items = text(value)?.split(',').map((s) => s.trim()).filter(Boolean);
  return items?.length ? items : undefined;
}

const W3C_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/**
 * GeoReport v2 dates are W3C date-times with their zone: without one, the client's local time would
 * be a guess. Date itself would roll 30 February over into March and read year 0000, which PostgreSQL
 * has not, so each part is checked.
 */
export function w3cDate(value: string | undefined, name: string): Date | undefined {
  if (!value) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, zoneHours = 0, zoneMinutes = 0] = W3C_DATETIME.exec(value)?.slice(1).map((x) => Number(x ?? 0)) ?? [];
  const real = year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 59 && zoneHours <= 14 && zoneMinutes <= 59;
  if (!real) {
    throw invalid(
      `${name} harus berupa tanggal dan waktu W3C dengan zona waktu, misalnya 2026-11-01T00:00:00+07:00.`,
      `${name} must be a W3C date-time with a time zone, such as 2026-11-01T00:00:00+07:00.`,
    );
  }
  return new Date(value);
}
