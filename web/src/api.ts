// Every call to the SatuKota JSON API goes through here: same-origin cookies, JSON bodies,
// the chosen language in Accept-Language, and the CSRF token on every state-changing request.
import type { CategoryView, City, ClaimOnMyNik, LoginBody, Me, PrivacyNotice, RegisterBody, SessionResponse } from '@api';
import { getLang, strings } from './i18n';

// The API's types come from the server's schemas (src/api-types.ts), as types only: no server code and
// no zod in the bundle.
export type { City, ClaimOnMyNik, Me, PrivacyNotice };
export type Role = Me['role'];
export type Scope = NonNullable<Me['scope']>;
export type ScopeKind = Scope['kind'];

/** What the register form sends: the API's body, with the consent given to a known notice version. */
export type RegisterInput = RegisterBody & { consent: true; consentVersion: string };

/** An error answer of the API (status ≥ 400), or status 0 when the network failed. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The form field the server blamed, if any (`details.field`). */
  get field(): string | undefined {
    const f = this.details?.field;
    return typeof f === 'string' ? f : undefined;
  }
}

const CSRF_COOKIE = 'sk_csrf';
let csrfFallback: string | null = null;

function csrfToken(): string | null {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === CSRF_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return csrfFallback;
}

function rememberCsrf(body: unknown): void {
  if (body && typeof body === 'object' && 'csrfToken' in body) {
    const tok = (body as { csrfToken: unknown }).csrfToken;
    if (typeof tok === 'string') csrfFallback = tok;
  }
}

/**
 * One call to the JSON API (`path` under /api/v1). `body` is sent as JSON, or as it is when it is
 * FormData (multipart: photos). `headers` adds e.g. an Idempotency-Key.
 */
export async function request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
  const isForm = typeof FormData !== 'undefined' && body instanceof FormData;
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': getLang(),
    ...extraHeaders,
  };
  if (body !== undefined && !isForm) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const tok = csrfToken();
    if (tok) headers['X-CSRF-Token'] = tok;
  }

  let res: Response;
  try {
    res = await fetch('/api/v1' + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : isForm ? (body as FormData) : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', strings().errNetwork);
  }

  const text = res.status === 204 ? '' : await res.text().catch(() => '');
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }

  if (!res.ok) {
    const err = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    if (err && typeof err.message === 'string') {
      const details = err.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : undefined;
      throw new ApiError(res.status, typeof err.code === 'string' ? err.code : 'error', err.message, details);
    }
    throw new ApiError(res.status, 'http_' + res.status, strings().errServer);
  }
  rememberCsrf(data);
  return data as T;
}

/**
 * The public data the server inlines in the page it sends (src/platform/web-shell.ts), so that the app
 * needs no round trip for it; empty when the page came from elsewhere (Vite's development server).
 */
interface BootData {
  /** Every page: the header's city. */
  city?: City;
  /** /lapor: the active report categories (as GET /report-categories answers), the form's first step. */
  categories?: CategoryView[];
}

function bootData(): BootData {
  try {
    return JSON.parse(document.getElementById('sk-boot')?.textContent ?? '{}') as BootData;
  } catch {
    return {};
  }
}

/** The city as inlined in the page, or null: then ask api.city(). */
export const bootCity = (): City | null => bootData().city ?? null;

/** The report categories as inlined in the page (/lapor only), or null: then ask the API. */
export const bootCategories = (): CategoryView[] | null => bootData().categories ?? null;

export const api = {
  city: () => request<City>('GET', '/city'),
  privacyNotice: () => request<PrivacyNotice>('GET', '/privacy-notice'),
  me: () => request<{ user: Me }>('GET', '/me'),
  register: (input: RegisterInput) => request<SessionResponse>('POST', '/auth/register', input),
  login: (login: string, password: string) => request<SessionResponse>('POST', '/auth/login', { login, password } satisfies LoginBody),
  logout: async () => {
    await request<void>('POST', '/auth/logout');
    csrfFallback = null;
  },
  verifyPhone: (code: string) => request<{ user: Me }>('POST', '/auth/phone/verify', { code }),
  resendCode: () => request<void>('POST', '/auth/phone/resend'),
  /** Claims filed in person on the NIK this account holds (someone says it is theirs). */
  claimsOnMyNik: () => request<{ claims: ClaimOnMyNik[] }>('GET', '/me/nik-claims'),
  objectToClaim: (id: string, text: string) => request<void>('POST', `/me/nik-claims/${encodeURIComponent(id)}/objection`, { text }),
};
