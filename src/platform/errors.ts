/**
 * The one error type of the JSON API. `code` is stable (clients and tests match on it); the message
 * exists in Bahasa Indonesia and English and is chosen by the request's Accept-Language.
 */
export interface LocalisedText {
  id: string;
  en: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly text: LocalisedText,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(text.en);
    this.name = 'AppError';
  }
}

export const errors = {
  badRequest: (code: string, text: LocalisedText, details?: Record<string, unknown>) => new AppError(400, code, text, details),
  unprocessable: (code: string, text: LocalisedText, details?: Record<string, unknown>) => new AppError(422, code, text, details),
  unauthenticated: () =>
    new AppError(401, 'unauthenticated', { id: 'Silakan masuk terlebih dahulu.', en: 'Please log in first.' }),
  forbidden: (text: LocalisedText = { id: 'Anda tidak berwenang melakukan tindakan ini.', en: 'You are not allowed to do this.' }) =>
    new AppError(403, 'forbidden', text),
  notFound: (what: LocalisedText) =>
    new AppError(404, 'not_found', { id: `${what.id} tidak ditemukan.`, en: `${what.en} not found.` }),
  conflict: (code: string, text: LocalisedText, details?: Record<string, unknown>) => new AppError(409, code, text, details),
  /** 429 with Retry-After; `text` words the refusal around the wait ("5 menit" / "5 minutes"). */
  tooManyRequests: (
    retryAfterSeconds: number,
    code = 'too_many_attempts',
    text: (wait: LocalisedText) => LocalisedText = (wait) => ({
      id: `Terlalu banyak percobaan yang gagal. Coba lagi dalam ${wait.id}.`,
      en: `Too many failed attempts. Try again in ${wait.en}.`,
    }),
  ) =>
    new AppError(
      429,
      code,
      text({ id: humanDuration(retryAfterSeconds, 'id'), en: humanDuration(retryAfterSeconds, 'en') }),
      { retryAfterSeconds },
      { 'retry-after': String(retryAfterSeconds) },
    ),
};

function humanDuration(seconds: number, lang: 'id' | 'en'): string {
  if (seconds < 60) return lang === 'id' ? `${seconds} detik` : `${seconds} seconds`;
  if (seconds <= 3 * 3600) {
    const minutes = Math.ceil(seconds / 60);
    return lang === 'id' ? `${minutes} menit` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  const hours = Math.ceil(seconds / 3600);
  return lang === 'id' ? `${hours} jam` : `${hours} hours`;
}

export type Language = 'id' | 'en';

/** Bahasa Indonesia unless the client prefers English. */
export function languageOf(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return 'id';
  for (const part of acceptLanguage.split(',')) {
    const tag = part.trim().toLowerCase().slice(0, 2);
    if (tag === 'id' || tag === 'in') return 'id';
    if (tag === 'en') return 'en';
  }
  return 'id';
}
