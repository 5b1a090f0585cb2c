import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * The logger never carries personal data: known fields are censored by path, and whatever slips
 * through inside free text (a URL, an error message) is caught by pattern, inside the line's JSON
 * strings only, before the line is written.
 */
const PERSONAL_FIELDS = ['nik', 'name', 'fullName', 'phone', 'birthDate', 'address', 'password', 'newPassword', 'code', 'token', 'login'];

export const REDACT_PATHS = [
  ...PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

// A 16-digit run (a NIK) and Indonesian mobile numbers (08…, +628…, 628…) inside a string.
const NIK_LIKE = /(?<![0-9])[0-9]{16}(?![0-9])/g;
const PHONE_LIKE = /(?<![0-9])(?:\+?62|0)8[0-9]{7,11}(?![0-9])/g;
// One JSON string literal, escapes included. Matching only inside these leaves numbers alone: a
// `responseTime` of 0.1234567890123456 has a 16-digit run too, and replacing it broke the line's JSON.
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/** Redacts NIKs and phone numbers inside the JSON strings of a log line; numbers and structure stay as they are. */
export function scrubPersonalData(line: string): string {
  return line.replace(JSON_STRING, (text) => text.replace(NIK_LIKE, '[NIK]').replace(PHONE_LIKE, '[PHONE]'));
}

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        streamWrite: scrubPersonalData,
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

export type { Logger };
