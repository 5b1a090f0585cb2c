import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { constantTimeEqual, randomToken } from '../../platform/crypto.js';
import { AppError, errors } from '../../platform/errors.js';
import { errorSchema, requestMeta, type HttpApp, type RequestMeta } from '../../platform/http.js';
import type { Identity } from './identity.js';
import { identityPolicy } from './policy.js';
import type { Principal } from './roles.js';
import { privacyNotice } from './privacy-notice.js';
import {
  createOfficerBody,
  loginBody,
  meSchema,
  claimOnMyNik,
  nikClaimBody,
  nikClaimCompleted,
  nikClaimPending,
  pendingNikClaim,
  personalDataSchema,
  privacyNoticeSchema,
  registerBody,
  sessionResponse,
  tokenResponse,
  updateOfficerBody,
} from './schema.js';
import type { NikClaims } from './nik-claims.js';
import type { Sessions, SessionIssued } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /**
     * true on the writes that need no session (login, register, account setup, Open311 with its API
     * key): they read their body without one, and skip the CSRF check (no session to forge yet).
     * Every other write needs a session before its body is read.
     */
    anonymous?: boolean;
    /**
     * A check before a large body is read (only for rules on the role, e.g. `(p) => policy.authorize(p,
     * 'regions.import')`): throws 401/403 as the policy does.
     */
    authorizeBeforeBody?: (principal: Principal | undefined) => void;
  }
}

export const SESSION_COOKIE = 'sk_session';
export const CSRF_COOKIE = 'sk_csrf';
/** Names the browser or app across logins (see the login rule in service.ts): a random id, nothing personal. */
export const DEVICE_COOKIE = 'sk_device';
const DEVICE_COOKIE_DAYS = 365;
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Authentication for every request: a bearer token or the session cookie becomes `request.principal`.
 * Cookie-authenticated writes must echo the session's CSRF token in X-CSRF-Token (double submit).
 */
export function registerAuthentication(app: HttpApp, sessions: Sessions): void {
  app.decorateRequest('principal', undefined);
  // On arrival, before the body is read: an anonymous or forged request costs no parsing, and learns
  // nothing about the body it sent.
  app.addHook('onRequest', async (request) => {
    request.principal = await principalOf(request, sessions);
    const config = request.routeOptions.config;
    if (request.principal === undefined && UNSAFE_METHODS.has(request.method) && !request.is404 && config.anonymous !== true) throw errors.unauthenticated();
    config.authorizeBeforeBody?.(request.principal);
  });
}

async function principalOf(request: FastifyRequest, sessions: Sessions): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1];
  const token = bearer ?? request.cookies[SESSION_COOKIE];
  if (!token) return undefined;
  const principal = await sessions.authenticate(token);
  if (!principal) {
    if (bearer) throw new AppError(401, 'invalid_token', { id: 'Token tidak valid atau kedaluwarsa.', en: 'The token is invalid or has expired.' });
    return undefined; // a stale cookie is simply no session
  }
  if (principal.via === 'cookie' && bearer === undefined && UNSAFE_METHODS.has(request.method) && request.routeOptions.config.anonymous !== true) {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !principal.csrfToken || !constantTimeEqual(sent, principal.csrfToken)) {
      throw new AppError(403, 'csrf_failed', {
        id: 'Permintaan ditolak karena token keamanan (CSRF) tidak cocok. Muat ulang halaman lalu coba lagi.',
        en: 'Request refused: the security (CSRF) token does not match. Reload the page and try again.',
      });
    }
  }
  return principal;
}

/** Login metadata with this client's device id: the one its cookie carries, or a new one. */
function loginMeta(request: FastifyRequest): RequestMeta & { device: string } {
  const sent = request.cookies[DEVICE_COOKIE];
  return { ...requestMeta(request), device: sent && /^[A-Za-z0-9_-]{16,64}$/.test(sent) ? sent : randomToken(16) };
}

function setDeviceCookie(request: FastifyRequest, reply: FastifyReply, device: string): void {
  reply.setCookie(DEVICE_COOKIE, device, { path: '/api/v1/auth', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', maxAge: DEVICE_COOKIE_DAYS * 86400 });
}

function setSessionCookies(request: FastifyRequest, reply: FastifyReply, session: SessionIssued): void {
  const secure = request.protocol === 'https';
  reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: session.expiresAt });
  if (session.csrfToken) reply.setCookie(CSRF_COOKIE, session.csrfToken, { path: '/', httpOnly: false, sameSite: 'lax', secure, expires: session.expiresAt });
}

const errorResponses = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 429: errorSchema };

export function identityRoutes(app: HttpApp, identity: Identity): void {
  const { accounts, sessions, registration, officers, nikClaims: claims } = identity;
  const tags = ['identity'];

  app.get('/api/v1/privacy-notice', { schema: { tags, summary: 'The privacy notice a citizen accepts when registering', response: { 200: privacyNoticeSchema } } }, async (request) =>
    privacyNotice(request.lang),
  );

  app.post(
    '/api/v1/auth/register',
    {
      config: { anonymous: true },
      schema: { tags, summary: 'Register a citizen with NIK; logs in and sends a phone verification code', body: registerBody, response: { 201: sessionResponse, ...errorResponses } },
    },
    async (request, reply) => {
      const session = await registration.register(request.body, requestMeta(request));
      setSessionCookies(request, reply, session);
      return reply.status(201).send({ user: session.user, csrfToken: session.csrfToken });
    },
  );

  app.post(
    '/api/v1/auth/login',
    { config: { anonymous: true }, schema: { tags, summary: 'Log in (browser): sets the session cookie', body: loginBody, response: { 200: sessionResponse, ...errorResponses } } },
    async (request, reply) => {
      const meta = loginMeta(request);
      const session = await sessions.login(request.body.login, request.body.password, 'cookie', meta);
      setDeviceCookie(request, reply, meta.device);
      setSessionCookies(request, reply, session);
      return { user: session.user, csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/api/v1/auth/token',
    { config: { anonymous: true }, schema: { tags, summary: 'Log in (API client): returns a bearer token', body: loginBody, response: { 200: tokenResponse, ...errorResponses } } },
    async (request) => {
      // API clients get no cookie; one that keeps the cookie of an earlier login counts as that device.
      const session = await sessions.login(request.body.login, request.body.password, 'bearer', loginMeta(request));
      return { token: session.token, expiresAt: session.expiresAt.toISOString() };
    },
  );

  app.post('/api/v1/auth/logout', { schema: { tags, summary: 'End the current session', response: { 204: z.null(), ...errorResponses } } }, async (request, reply) => {
    const principal = identityPolicy.authorize(request.principal, 'account.read_own');
    await sessions.logout(principal);
    reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });

  app.post(
    '/api/v1/auth/phone/verify',
    { schema: { tags, summary: 'Verify the phone with the one-time code', body: z.object({ code: z.string().max(10) }), response: { 200: z.object({ user: meSchema }), ...errorResponses } } },
    async (request) => {
      const principal = identityPolicy.authorize(request.principal, 'account.read_own');
      return { user: await registration.verifyPhone(principal.userId, request.body.code) };
    },
  );

  app.post('/api/v1/auth/phone/resend', { schema: { tags, summary: 'Send a new phone verification code', response: { 202: z.object({ sent: z.boolean() }), ...errorResponses } } }, async (request, reply) => {
    const principal = identityPolicy.authorize(request.principal, 'account.read_own');
    await registration.resendPhoneCode(principal.userId);
    return reply.status(202).send({ sent: true });
  });

  app.post(
    '/api/v1/auth/setup',
    {
      config: { anonymous: true },
      schema: {
        tags,
        summary: 'Activate an account created by an in-person NIK claim, with the code sent to the phone',
        body: z.object({ nik: z.string().max(40), code: z.string().max(10), password: z.string().max(200) }),
        response: { 200: sessionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = await registration.completeSetup(request.body, requestMeta(request));
      setSessionCookies(request, reply, session);
      return { user: session.user, csrfToken: session.csrfToken };
    },
  );

  app.get('/api/v1/me', { schema: { tags, summary: 'The logged-in account (NIK and phone masked)', response: { 200: z.object({ user: meSchema }), ...errorResponses } } }, async (request) => {
    const principal = identityPolicy.authorize(request.principal, 'account.read_own');
    return { user: await accounts.me(principal.userId) };
  });

  app.get(
    '/api/v1/me/personal-data',
    { schema: { tags, summary: 'Your own personal data, unmasked (the reveal is audited)', response: { 200: personalDataSchema, ...errorResponses } } },
    async (request) => {
      const principal = identityPolicy.authorize(request.principal, 'account.reveal_own');
      return accounts.revealPersonalData(principal, principal.userId, requestMeta(request));
    },
  );

  app.get(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'Accounts (admin); personal data masked',
        querystring: z.object({
          kind: z.enum(['citizen', 'officer']).optional(),
          role: meSchema.shape.role.optional(),
          after: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ users: z.array(meSchema), nextCursor: z.string().nullable() }), ...errorResponses },
      },
    },
    async (request) => {
      identityPolicy.authorize(request.principal, 'users.list');
      const users = await accounts.list(request.query);
      return { users, nextCursor: users.length === request.query.limit ? (users.at(-1)?.id ?? null) : null };
    },
  );

  app.post(
    '/api/v1/users',
    { schema: { tags, summary: 'Create an officer account (admin)', body: createOfficerBody, response: { 201: z.object({ user: meSchema }), ...errorResponses } } },
    async (request, reply) => {
      const principal = identityPolicy.authorize(request.principal, 'users.create');
      const user = await officers.createOfficer(request.body, { id: principal.userId, label: principal.role });
      return reply.status(201).send({ user });
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      schema: { tags, summary: "Change an officer's role, scope, head flag or status (admin; audited)", params: z.object({ id: z.uuid() }), body: updateOfficerBody, response: { 200: z.object({ user: meSchema }), ...errorResponses } },
    },
    async (request) => {
      const principal = identityPolicy.authorize(request.principal, 'users.update');
      return { user: await officers.updateOfficer(request.params.id, request.body, principal, requestMeta(request)) };
    },
  );

  app.get(
    '/api/v1/users/:id/personal-data',
    { schema: { tags, summary: "A person's unmasked personal data (admin; every reveal is audited)", params: z.object({ id: z.uuid() }), response: { 200: personalDataSchema, ...errorResponses } } },
    async (request) => {
      const principal = identityPolicy.authorize(request.principal, 'users.reveal_personal_data');
      return accounts.revealPersonalData(principal, request.params.id, requestMeta(request));
    },
  );

  nikClaimRoutes(app, claims);
}

function nikClaimRoutes(app: HttpApp, claims: NikClaims): void {
  const tags = ['identity'];
  const claimId = z.object({ id: z.uuid() });

  app.post(
    '/api/v1/identity/nik-claims',
    {
      schema: {
        tags,
        summary: 'Confirm in person the real owner of a NIK (officer of a kelurahan or kecamatan)',
        description:
          "Settled at once (201) when the NIK belongs to the officer's area — issued in its kecamatan, or held by an account whose recorded domicile is there: " +
          'the holding account is suspended and the owner gets an activation code. Otherwise the claim waits for the coordinator (202) and the holder is told by text and may object.',
        body: nikClaimBody,
        response: { 201: nikClaimCompleted, 202: nikClaimPending, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = identityPolicy.authorize(request.principal, 'nik_claims.create');
      const outcome = await claims.file(principal, request.body, requestMeta(request));
      return reply.status(outcome.status === 'completed' ? 201 : 202).send(outcome);
    },
  );

  app.get(
    '/api/v1/identity/nik-claims',
    { schema: { tags, summary: 'NIK claims waiting for a decision, with any objection of the holder (coordinator)', response: { 200: z.object({ claims: z.array(pendingNikClaim) }), ...errorResponses } } },
    async (request) => ({ claims: await claims.pending(identityPolicy.authorize(request.principal, 'nik_claims.list')) }),
  );

  app.post(
    '/api/v1/identity/nik-claims/:id/approve',
    {
      schema: { tags, summary: 'Approve a waiting NIK claim (coordinator): settles it as the officer of the area would', params: claimId, body: z.object({ note: z.string().max(500).optional() }), response: { 200: nikClaimCompleted, ...errorResponses } },
    },
    async (request) => claims.approve(identityPolicy.authorize(request.principal, 'nik_claims.decide'), request.params.id, request.body.note, requestMeta(request)),
  );

  app.post(
    '/api/v1/identity/nik-claims/:id/reject',
    {
      schema: { tags, summary: 'Reject a waiting NIK claim (coordinator)', params: claimId, body: z.object({ reason: z.string().trim().min(3).max(500) }), response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await claims.reject(identityPolicy.authorize(request.principal, 'nik_claims.decide'), request.params.id, request.body.reason, requestMeta(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/me/nik-claims',
    { schema: { tags, summary: 'Claims filed on the NIK this account holds', response: { 200: z.object({ claims: z.array(claimOnMyNik) }), ...errorResponses } } },
    async (request) => ({ claims: await claims.onMyNik(identityPolicy.authorize(request.principal, 'account.read_own')) }),
  );

  app.post(
    '/api/v1/me/nik-claims/:id/objection',
    {
      schema: {
        tags,
        summary: "Object to a waiting claim on your NIK; the coordinator reads it before deciding",
        params: claimId,
        body: z.object({ text: z.string().trim().min(10).max(1000) }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await claims.object(identityPolicy.authorize(request.principal, 'account.read_own'), request.params.id, request.body.text, requestMeta(request));
      return reply.status(204).send(null);
    },
  );
}
