import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApp } from '../../src/platform/http.js';
import { asSession, bearer, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';

/**
 * The in-person NIK claim, authorised with the NIK it is about: an officer settles a claim at once
 * only where the NIK belongs to their area (issued in its kecamatan, or held by an account whose
 * recorded domicile is there). Any other claim — a NIK from another kecamatan, regency or province —
 * waits for the coordinator (202); the holder is told by text and may object.
 */

const HOLDER_PASSWORD = 'pemegang-nik-123';

function register(app: HttpApp, input: { nik: string; birthDate: string; phone: string; domicileCode?: string }) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { name: 'Pemegang Akun', password: HOLDER_PASSWORD, consent: true, ...input },
  });
}

describeEachDatabase('NIK claims outside the officer\'s area', (kind) => {
  let h: Harness;
  let lurah: string;
  let camat: string;
  let coordinator: string;
  beforeAll(async () => {
    h = await startHarness(kind);
    lurah = await bearer(h.app, 'lurah.ramanuju');
    camat = await bearer(h.app, 'camat.purwakarta');
    coordinator = await bearer(h.app, 'koordinator');
  });
  afterAll(async () => h?.close());

  const claim = (token: string, payload: Record<string, string>) =>
    h.app.inject({ method: 'POST', url: '/api/v1/identity/nik-claims', headers: { authorization: `Bearer ${token}` }, payload: { name: 'Pemilik Asli', note: 'KTP asli diperiksa', ...payload } });
  const holderStatus = async (id: string) => (await h.db.one<{ status: string }>('select status from users where id = $1', [id])).status;

  describe('a NIK from another province, held by an account', () => {
    // DKI Jakarta (31.71.01), a woman born 12 March 1992.
    const NIK = '3171015203920007';
    const BIRTH = '1992-03-12';
    let holder: Session;
    let claimId: string;

    beforeAll(async () => {
      const res = await register(h.app, { nik: NIK, birthDate: BIRTH, phone: '081366660001' });
      expect(res.statusCode).toBe(201);
      holder = await login(h.app, NIK, HOLDER_PASSWORD);
    });

    it('is not taken over by a lurah of Cilegon: the claim waits for the coordinator (202), the holder keeps the account and is told', async () => {
      const textsBefore = h.sms.messages.length;
      const res = await claim(lurah, { nik: NIK, birthDate: BIRTH, phone: '081366669999' });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ status: 'pending', holderNotified: true });
      claimId = res.json().claimId;
      expect(await holderStatus(holder.userId)).toBe('active');
      expect((await h.app.inject({ url: '/api/v1/me', headers: { cookie: holder.cookie } })).statusCode).toBe(200);
      // No account for the claimant yet, and no activation code sent to them.
      expect(h.sms.lastCodeFor('+6281366669999')).toBeUndefined();
      const texts = h.sms.messages.slice(textsBefore);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toMatchObject({ to: '+6281366660001', text: expect.stringContaining('Kelurahan Ramanuju') });
      expect(texts[0]!.text).toContain('3171**********07');
    });

    it('refuses a second claim on the same NIK while one waits', async () => {
      const res = await claim(camat, { nik: NIK, birthDate: BIRTH, phone: '081366669998' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('nik_claim_pending');
    });

    it('shows the holder the claim, lets them object, and nobody else', async () => {
      const me = await h.app.inject({ url: '/api/v1/me', headers: { cookie: holder.cookie } });
      expect(me.json().user.nikClaimPending).toBe(true);
      const mine = await h.app.inject({ url: '/api/v1/me/nik-claims', headers: { cookie: holder.cookie } });
      expect(mine.json().claims).toEqual([{ id: claimId, status: 'pending', filedAt: expect.any(String), unitName: 'Kelurahan Ramanuju', objectedAt: null }]);

      const stranger = await login(h.app, '3672011708900001');
      const notTheirs = await h.app.inject({ method: 'POST', url: `/api/v1/me/nik-claims/${claimId}/objection`, headers: asSession(stranger), payload: { text: 'Ini bukan klaim yang sah sama sekali.' } });
      expect(notTheirs.statusCode).toBe(404);

      const objection = await h.app.inject({ method: 'POST', url: `/api/v1/me/nik-claims/${claimId}/objection`, headers: asSession(holder), payload: { text: 'Saya pemilik NIK ini, KTP saya ada pada saya.' } });
      expect(objection.statusCode).toBe(204);
    });

    it('lets only the coordinator decide; the coordinator sees the objection, and a rejection leaves the holder as they were', async () => {
      for (const token of [lurah, camat, await bearer(h.app, 'admin')]) {
        const res = await h.app.inject({ method: 'POST', url: `/api/v1/identity/nik-claims/${claimId}/approve`, headers: { authorization: `Bearer ${token}` }, payload: {} });
        expect(res.statusCode).toBe(403);
      }
      const list = await h.app.inject({ url: '/api/v1/identity/nik-claims', headers: { authorization: `Bearer ${coordinator}` } });
      expect(list.statusCode).toBe(200);
      const waiting = list.json().claims.find((c: { id: string }) => c.id === claimId);
      expect(waiting).toMatchObject({
        nikMasked: '3171**********07',
        claimantName: 'Pemilik Asli',
        hasHolder: true,
        officer: { scope: 'kelurahan:36.72.07.1001', scopeName: 'Kelurahan Ramanuju' },
        objection: { text: 'Saya pemilik NIK ini, KTP saya ada pada saya.' },
      });
      expect(JSON.stringify(list.json())).not.toContain(NIK);

      const rejected = await h.app.inject({ method: 'POST', url: `/api/v1/identity/nik-claims/${claimId}/reject`, headers: { authorization: `Bearer ${coordinator}` }, payload: { reason: 'Pemegang akun menunjukkan KTP asli.' } });
      expect(rejected.statusCode).toBe(204);
      expect(await holderStatus(holder.userId)).toBe('active');
      expect((await h.app.inject({ url: '/api/v1/me', headers: { cookie: holder.cookie } })).json().user.nikClaimPending).toBe(false);
      const again = await h.app.inject({ method: 'POST', url: `/api/v1/identity/nik-claims/${claimId}/approve`, headers: { authorization: `Bearer ${coordinator}` }, payload: {} });
      expect(again.statusCode).toBe(409);
      const audit = await h.db.query<{ action: string }>(`select action from audit_log where action like 'nik.claim%' order by seq`);
      expect(audit.map((a) => a.action)).toEqual(['nik.claim_filed', 'nik.claim_objected', 'nik.claim_rejected']);
    });

    it('settles a claim the coordinator approves: the holder is suspended and the owner gets an activation code', async () => {
      const res = await claim(lurah, { nik: NIK, birthDate: BIRTH, phone: '081366669997' });
      expect(res.statusCode).toBe(202);
      const approved = await h.app.inject({ method: 'POST', url: `/api/v1/identity/nik-claims/${res.json().claimId}/approve`, headers: { authorization: `Bearer ${coordinator}` }, payload: { note: 'Dicek ke Disdukcapil' } });
      expect(approved.statusCode).toBe(200);
      expect(approved.json()).toMatchObject({ status: 'completed', suspendedUserId: holder.userId, codeSentTo: '0813*****997' });
      expect(await holderStatus(holder.userId)).toBe('suspended');
      expect(h.sms.lastCodeFor('+6281366669997')).toMatch(/^\d{6}$/);
    });
  });

  describe('people who moved in', () => {
    it('lets the lurah of the recorded domicile settle a claim on a NIK issued in another regency at once', async () => {
      // Issued in Kota Serang (36.73.01), living in Ramanuju.
      const NIK = '3673011508880003';
      const res = await register(h.app, { nik: NIK, birthDate: '1988-08-15', phone: '081366660002', domicileCode: '36.72.07.1001' });
      expect(res.statusCode).toBe(201);
      expect(res.json().user.domicile).toEqual({ code: '36.72.07.1001', name: 'Kelurahan Ramanuju' });
      const settled = await claim(lurah, { nik: NIK, birthDate: '1988-08-15', phone: '081366669996' });
      expect(settled.statusCode).toBe(201);
      expect(settled.json()).toMatchObject({ status: 'completed', suspendedUserId: res.json().user.id });
    });

    it('does not let a lurah of another kelurahan settle it: it waits', async () => {
      const NIK = '3673011508880011';
      const res = await register(h.app, { nik: NIK, birthDate: '1988-08-15', phone: '081366660003', domicileCode: '36.72.07.1001' });
      expect(res.statusCode).toBe(201);
      const other = await bearer(h.app, 'lurah.cibeber');
      expect((await claim(other, { nik: NIK, birthDate: '1988-08-15', phone: '081366669995' })).statusCode).toBe(202);
    });

    it('does not settle a claim at once while another on the same NIK waits: the coordinator decides that one first', async () => {
      // The claim filed in Cibeber on 3673011508880011 (above) waits; the lurah of the domicile may not overtake it.
      const res = await claim(lurah, { nik: '3673011508880011', birthDate: '1988-08-15', phone: '081366669993' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('nik_claim_pending');
    });

    it('lets only one of two claims filed at the same moment wait, and answers the other 409, not 500', async () => {
      const NIK = '3673011508880037';
      expect((await register(h.app, { nik: NIK, birthDate: '1988-08-15', phone: '081366660005' })).statusCode).toBe(201);
      const both = await Promise.all([
        claim(lurah, { nik: NIK, birthDate: '1988-08-15', phone: '081366669992' }),
        claim(camat, { nik: NIK, birthDate: '1988-08-15', phone: '081366669991' }),
      ]);
      expect(both.map((r) => r.statusCode).sort()).toEqual([202, 409]);
    });

    it('refuses a domicile that is not a kelurahan of the city', async () => {
      const res = await register(h.app, { nik: '3673011508880029', birthDate: '1988-08-15', phone: '081366660004', domicileCode: '36.73.01.1001' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'domicile_unknown', details: { field: 'domicileCode' } });
    });
  });

  it('lets the camat settle a claim on a NIK issued in the kecamatan at once, with nobody holding it', async () => {
    const res = await claim(camat, { nik: '3672071203750004', birthDate: '1975-03-12', phone: '081366669994' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'completed', suspendedUserId: null });
  });
});
