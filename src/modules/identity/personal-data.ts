import { errors } from '../../platform/errors.js';

/** Indonesian mobile numbers: 08…, 628…, +628… → E.164 (+628…). */
export function normalisePhone(raw: string): string {
  const compact = raw.replace(/[\s\-().]/g, '');
  const national = compact.startsWith('+62') ? compact.slice(3) : compact.startsWith('62') ? compact.slice(2) : compact.startsWith('0') ? compact.slice(1) : compact;
  if (!/^8[0-9]{8,11}$/.test(national)) {
    throw errors.badRequest(
      'phone_invalid',
      {
        id: 'Nomor HP tidak valid. Gunakan nomor seluler Indonesia, misalnya 081234567890.',
        en: 'Invalid phone number. Use an Indonesian mobile number, e.g. 081234567890.',
      },
      { field: 'phone' },
    );
  }
  return `+62${national}`;
}

/** '+6281234567890' → '0812*****890' */
export function maskPhone(e164: string): string {
  const local = `0${e164.replace(/^\+62/, '')}`;
  return `${local.slice(0, 4)}${'*'.repeat(Math.max(0, local.length - 7))}${local.slice(-3)}`;
}
