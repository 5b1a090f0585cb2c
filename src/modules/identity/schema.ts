import { z } from 'zod';
import { OFFICER_ROLES } from './roles.js';

export const scopeSchema = z.object({
  kind: z.enum(['city', 'opd', 'kecamatan', 'kelurahan']),
  code: z.string().min(1).max(40),
});

export const meSchema = z.object({
  id: z.string(),
  kind: z.enum(['citizen', 'officer']),
  role: z.enum(['citizen', ...OFFICER_ROLES]),
  username: z.string().nullable(),
  name: z.string(),
  nikMasked: z.string().nullable().describe('NIK with digits 5–14 masked, e.g. 3672**********01'),
  phoneMasked: z.string().nullable(),
  phoneVerified: z.boolean(),
  status: z.enum(['active', 'suspended', 'pending_setup']),
  scope: scopeSchema.extend({ name: z.string().nullable(), isHead: z.boolean() }).nullable(),
  domicile: z.object({ code: z.string(), name: z.string().nullable() }).nullable().describe("a citizen's recorded kelurahan of residence"),
  nikClaimPending: z.boolean().optional().describe('on /me of a citizen: someone claims this NIK in person and the coordinator has not decided (see /me/nik-claims)'),
  createdAt: z.string(),
});
export type Me = z.infer<typeof meSchema>;

export const sessionResponse = z.object({ user: meSchema, csrfToken: z.string().nullable() });
export type SessionResponse = z.infer<typeof sessionResponse>;

export const registerBody = z.object({
  nik: z.string().max(40).describe('16-digit NIK'),
  name: z.string().max(200),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD'),
  phone: z.string().max(30),
  password: z.string().max(200),
  consent: z.boolean().describe('true: the person accepted the current privacy notice'),
  consentVersion: z.string().max(20).optional(),
  domicileCode: z.string().max(20).optional().describe('the kelurahan/desa where the citizen lives (Kemendagri code); an officer there may settle a claim on this NIK'),
});
export type RegisterBody = z.infer<typeof registerBody>;

export const loginBody = z.object({
  login: z.string().min(1).max(80).describe('NIK for citizens, username for officers'),
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof loginBody>;

export const tokenResponse = z.object({ token: z.string(), expiresAt: z.string() });
export type TokenResponse = z.infer<typeof tokenResponse>;

export const personalDataSchema = z.object({
  nik: z.string().nullable(),
  name: z.string(),
  phone: z.string().nullable(),
  birthDate: z.string().nullable(),
  address: z.string().nullable(),
  sex: z.enum(['male', 'female']).nullable(),
});

export const privacyNoticeSchema = z.object({
  version: z.string(),
  title: z.string(),
  sections: z.array(z.object({ heading: z.string(), body: z.string() })),
});
export type PrivacyNotice = z.infer<typeof privacyNoticeSchema>;

export const createOfficerBody = z.object({
  username: z.string().max(40),
  name: z.string().max(200),
  role: z.enum(OFFICER_ROLES),
  scope: scopeSchema.nullable().default(null),
  isHead: z.boolean().default(false),
  password: z.string().max(200),
  phone: z.string().max(30).optional(),
});

export const updateOfficerBody = z.object({
  role: z.enum(OFFICER_ROLES).optional(),
  scope: scopeSchema.nullable().optional(),
  isHead: z.boolean().optional(),
  status: z.enum(['active', 'suspended']).optional(),
});

export const nikClaimBody = z.object({
  nik: z.string().max(40),
  name: z.string().max(200),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD'),
  phone: z.string().max(30),
  note: z.string().max(500).optional(),
});

export const nikClaimCompleted = z.object({
  status: z.literal('completed'),
  claimId: z.string(),
  userId: z.string().describe("the owner's new account, waiting for activation"),
  suspendedUserId: z.string().nullable(),
  codeSentTo: z.string(),
});

export const nikClaimPending = z.object({ status: z.literal('pending'), claimId: z.string(), holderNotified: z.boolean() });

export const pendingNikClaim = z.object({
  id: z.string(),
  nikMasked: z.string(),
  claimantName: z.string(),
  phoneMasked: z.string(),
  officer: z.object({ id: z.string(), scope: z.string().nullable(), scopeName: z.string().nullable() }),
  note: z.string().nullable(),
  hasHolder: z.boolean().describe('an account holds the NIK now'),
  objection: z.object({ text: z.string(), at: z.string() }).nullable(),
  createdAt: z.string(),
});
export type PendingNikClaim = z.infer<typeof pendingNikClaim>;

export const claimOnMyNik = z.object({
  id: z.string(),
  status: z.enum(['pending', 'completed', 'rejected']),
  filedAt: z.string(),
  unitName: z.string().nullable(),
  objectedAt: z.string().nullable(),
});
export type ClaimOnMyNik = z.infer<typeof claimOnMyNik>;
