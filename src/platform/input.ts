import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from './errors.js';

/**
 * Text that PostgreSQL cannot store: NUL (refused in `text` and `jsonb`) and a lone UTF-16 surrogate
 * (not Unicode; `jsonb` refuses its escape). Refused at the door, so no query ever sees it.
 */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first string (value or key) in `value` that cannot be stored, as a dotted path; undefined if none. */
export function unstorableTextAt(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = unstorableTextAt(value[i], path ? `${path}.${i}` : String(i));
      if (at !== undefined) return at;
    }
    return undefined;
  }
  // Data only: a Buffer, or a stream that a route reads itself (a large upload), is not walked. (Not "plain
  // objects only": Fastify's query and params objects have a prototype of their own.)
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && typeof (value as { pipe?: unknown }).pipe !== 'function') {
    for (const [key, v] of Object.entries(value)) {
      const keyPath = path ? `${path}.${key}` : key;
      if (UNSTORABLE.test(key)) return keyPath;
      const at = unstorableTextAt(v, keyPath);
      if (at !== undefined) return at;
    }
  }
  return undefined;
}

export function invalidCharacters(field: string): AppError {
  return new AppError(
    400,
    'invalid_characters',
    {
      id: `Isian ${field} berisi karakter yang tidak diizinkan (karakter NUL atau Unicode yang rusak).`,
      en: `The field ${field} contains characters that are not allowed (a NUL character or broken Unicode).`,
    },
    { field },
  );
}

/** Throws `invalid_characters` naming the first field of `value` (else `where`) that cannot be stored. */
export function assertStorableText(value: unknown, where: string): void {
  const at = unstorableTextAt(value);
  if (at !== undefined) throw invalidCharacters(at || where);
}

/**
 * A preValidation hook for every route: path parameters, query and (JSON or form) body. Multipart
 * fields are read later, by readForm, which applies the same check.
 */
export async function rejectUnstorableInput(request: FastifyRequest): Promise<void> {
  assertStorableText(request.params, 'params');
  assertStorableText(request.query, 'query');
  assertStorableText(request.body, 'body');
}

/**
 * Calendar dates and instants a client may send: ISO 8601 within years 1900–9999. PostgreSQL has no
 * year 0000, and a year before 1900 is a typing mistake in a city's reports, not a query.
 */
const MIN_YEAR = 1900;
const yearOk = (s: string) => Number(s.slice(0, 4)) >= MIN_YEAR;
const rangeMessage = `tahun harus ${MIN_YEAR}–9999`;

export const calendarDate = () => z.iso.date().refine(yearOk, rangeMessage);

export const instant = () =>
  z.iso.datetime({ offset: true }).refine((s) => {
    // An offset can move a moment across the year's edge: judge the moment itself.
    const t = new Date(s).getTime();
    return yearOk(s) && t >= Date.UTC(MIN_YEAR, 0, 1) && t < Date.UTC(10000, 0, 1);
  }, rangeMessage);

/**
 * A latitude or longitude. Below a nanodegree (a tenth of a millimetre) it is 0: PostgreSQL cannot
 * read a subnormal float such as 5e-324, and no place is that precise.
 */
export const coordinate = (min: number, max: number) =>
  z.coerce
    .number()
    .min(min)
    .max(max)
    .transform((v) => (Math.abs(v) < 1e-9 ? 0 : v));
