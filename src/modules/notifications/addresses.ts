import { normalisePhone } from '../identity/index.js';
import { isE164, maskRecipient } from './channels.js';

/** Phone numbers as the webhook wants them (E.164), or null when it is not a usable number. */
export function toE164(raw: string | null | undefined): string | null {
  if (!raw) return null;
  if (isE164(raw)) return raw;
  try {
    return normalisePhone(raw);
  } catch {
    return null;
  }
}

const EMAIL_IN_TEXT = /[^\s<>()"',;:]+@[^\s<>()"',;:]+/g;

/** Error text for the delivery row and the log, with addresses masked (SMTP servers echo them). */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(EMAIL_IN_TEXT, (m) => maskRecipient(m))
    .replace(/\+?[0-9]{9,15}/g, (m) => maskRecipient(m))
    .slice(0, 500);
}

/** A stored error text without even the masked address (its first and last digits, its domain). */
export function withoutAddresses(text: string): string {
  return text.replace(EMAIL_IN_TEXT, '[alamat]').replace(/\+?[0-9][0-9*]{7,}/g, '[nomor]');
}
