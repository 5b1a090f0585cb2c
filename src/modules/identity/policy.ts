import { definePolicy } from '../../platform/policy.js';
import { anyone, covers, roles, type Principal } from './roles.js';

/** A NIK someone claims in person: where it was issued (a kecamatan, for life) and where its holder lives now. */
export interface NikResource {
  issuingKecamatan: string;
  holderDomicile: string | null;
}

/** A claim waiting for the coordinator, as far as its current holder is concerned. */
export interface NikClaimResource {
  holderUserId: string | null;
}

/** Identity's actions: one's own account, the admin's user management, in-person NIK claims. */
export const identityPolicy = definePolicy({
  general: {
    'account.read_own': anyone,
    'account.reveal_own': anyone,
    'users.list': roles('admin'),
    'users.create': roles('admin'),
    'users.update': roles('admin'),
    'users.reveal_personal_data': roles('admin'),
    // Who may take a claim in at all; whether they may settle it is 'nik_claims.complete', on the NIK.
    'nik_claims.create': (p: Principal) => p.role === 'officer' && (p.scope?.kind === 'kelurahan' || p.scope?.kind === 'kecamatan'),
    'nik_claims.list': roles('coordinator'),
    'nik_claims.decide': roles('coordinator'),
  },
  onResource: {
    // Settled at once only where the NIK belongs to the officer's area; else it waits for the coordinator.
    'nik_claims.complete': (p: Principal, r: NikResource) =>
      p.role === 'officer' && p.scope !== null && (covers(p.scope, r.issuingKecamatan) || (r.holderDomicile !== null && covers(p.scope, r.holderDomicile))),
    'nik_claims.object': (p: Principal, r: NikClaimResource) => p.role === 'citizen' && r.holderUserId === p.userId,
  },
});
