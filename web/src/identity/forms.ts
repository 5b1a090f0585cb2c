// Helpers shared by the identity forms.
import { ApiError } from '../api';
import { strings } from '../i18n';

export const onlyDigits = (s: string) => s.replace(/\D+/g, '');

/** Indonesian mobile numbers: 08…, 628… or +628…, 10–15 digits in all. */
export function isMobileNumber(raw: string): boolean {
  const s = raw.replace(/[\s-]+/g, '');
  return /^(?:\+62|62|0)8[1-9]\d{6,11}$/.test(s);
}

/**
 * Where to show an error thrown by the API: next to the field named in `details.field`
 * when the form has that field, else at the top. The message is the server's, already localised.
 */
export function fieldErrorOf<F extends string>(err: unknown, fields: readonly F[]): { field?: F; message: string } {
  if (err instanceof ApiError) {
    const f = err.field;
    if (f && (fields as readonly string[]).includes(f)) return { field: f as F, message: err.message };
    return { message: err.message };
  }
  return { message: strings().errServer };
}
