import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * The logger never carries personal data: known fields are censored by path, and whatever slips
 * through inside free text (a URL, an error message) is caught by pattern before the line is written.
 */
const PERSONAL_FIELDS = ['nik', 'name', 'fullName', 'phone', 'birthDate', 'address', 'password', 'newPassword', 'code', 'token', 'login'];

export const REDACT_PATHS = [
  ...PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

// A 16-digit run (a NIK) and Indonesian mobile numbers (08…, +628…, 628…) anywhere in a line.
const NIK_LIKE = /(?<![0-9])[0-9]{16}(?![0-9])/g;
const PHONE_LIKE = /(?<![0-9])(?:\+?62|0)8[0-9]{7,11}(?![0-9])/g;

export function scrubPersonalData(line: string): string {
  return line.replace(NIK_LIKE, '[NIK]').replace(PHONE_LIKE, '[PHONE]');
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
