import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, describeEachDatabase, startHarness, type Harness } from '../support/harness.js';
import type { AuditRow } from '../../src/modules/audit/audit.js';

/**
 * The HMAC-chained audit trail: the demo seed leaves an intact chain; editing, deleting a middle row,
 * deleting the newest rows and forging the signed head are each detected at the right entry; parallel
 * appends keep the chain contiguous; the admin API lists and verifies it.
 */

describeEachDatabase('audit trail', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => h?.close());

  const count = async () => (await h.db.one<{ n: number }>('select count(*)::bigint as n from audit_log')).n;
  const rowsAt = (seqs: number[]) => h.db.query<AuditRow>('select * from audit_log where seq = any($1::bigint[]) order by seq', [seqs]);
  /** Puts rows back exactly as they were (their stored hashes are still the right ones). */
  const restore = async (rows: AuditRow[]) => {
    for (const r of rows) {
      await h.db.query(
        `insert into audit_log (seq, at, actor_id, actor_label, action, subject_type, subject_id, ip, details, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (seq) do update set details = excluded.details, at = excluded.at, action = excluded.action`,
        [r.seq, r.at, r.actor_id, r.actor_label, r.action, r.subject_type, r.subject_id, r.ip, JSON.stringify(r.details), r.prev_hash, r.hash],
      );
    }
  };

  it('the demo seed wrote an intact chain', async () => {
    const n = await count();
    expect(n).toBeGreaterThan(5);
    const result = await h.ctx.audit.verify();
    expect(result).toEqual({ ok: true, checked: n });
    const head = await h.db.one<{ count: number }>('select count from audit_head');
    expect(head.count).toBe(n);
  });

  describe('tampering', () => {
    it('(a) an edited middle row is reported at that row', async () => {
      const n = await count();
      const middle = Math.floor(n / 2);
      const [original] = await rowsAt([middle]);
      await h.db.query(`update audit_log set details = details || '{"tampered": true}'::jsonb where seq = $1`, [middle]);
      const result = await h.ctx.audit.verify();
      expect(result.ok).toBe(false);
      expect(result).toMatchObject({ firstBrokenSeq: middle, checked: middle - 1 });
      expect(!result.ok && result.reason).toMatch(/altered/);
      await restore([original!]);
      expect((await h.ctx.audit.verify()).ok).toBe(true);
    });

    it('(a2) an edited actor or time is reported too, not only details', async () => {
      const n = await count();
      const middle = Math.floor(n / 3);
      const [original] = await rowsAt([middle]);
      await h.db.query(`update audit_log set at = at + interval '1 second' where seq = $1`, [middle]);
      expect(await h.ctx.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: middle });
      await restore([original!]);
      await h.db.query(`update audit_log set actor_label = 'someone-else' where seq = $1`, [middle]);
      expect(await h.ctx.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: middle });
      await h.db.query(`update audit_log set actor_label = $2 where seq = $1`, [middle, original!.actor_label]);
      expect((await h.ctx.audit.verify()).ok).toBe(true);
    });

    it('(b) a deleted middle row is reported at its seq', async () => {
      const n = await count();
      const middle = Math.floor(n / 2) + 1;
      const saved = await rowsAt([middle]);
      await h.db.query('delete from audit_log where seq = $1', [middle]);
      const result = await h.ctx.audit.verify();
      expect(result).toMatchObject({ ok: false, firstBrokenSeq: middle, checked: middle - 1 });
      expect(!result.ok && result.reason).toMatch(/missing/);
      await restore(saved);
      expect((await h.ctx.audit.verify()).ok).toBe(true);
    });

    it('(b2) a deleted middle row re-chained without the key is still detected', async () => {
      // An attacker with write access renumbers the following rows and patches prev_hash; without
      // the HMAC key the hashes cannot be recomputed.
      const n = await count();
      const middle = Math.floor(n / 2);
      const saved = await h.db.query<AuditRow>('select * from audit_log where seq >= $1 order by seq', [middle]);
      await h.db.transaction(async (tx) => {
        await tx.query('delete from audit_log where seq = $1', [middle]);
        // Two steps, so the primary key never collides while renumbering.
        await tx.query('update audit_log set seq = -(seq - 1) where seq > $1', [middle]);
        await tx.query('update audit_log set seq = -seq where seq < 0');
        await tx.query('update audit_log set prev_hash = $2 where seq = $1', [middle, saved[0]!.prev_hash]);
      });
      const result = await h.ctx.audit.verify();
      expect(result).toMatchObject({ ok: false, firstBrokenSeq: middle });
      await h.db.query('delete from audit_log where seq >= $1', [middle]);
      await restore(saved);
      expect((await h.ctx.audit.verify()).ok).toBe(true);
    });

    it('(c) deleting the newest two rows is detected through the signed head', async () => {
      const n = await count();
      const saved = await rowsAt([n - 1, n]);
      await h.db.query('delete from audit_log where seq > $1', [n - 2]);
      const result = await h.ctx.audit.verify();
      expect(result).toMatchObject({ ok: false, checked: n - 2, firstBrokenSeq: n - 1 });
      expect(!result.ok && result.reason).toMatch(new RegExp(`signed head says ${n} rows`));
      await restore(saved);
      expect((await h.ctx.audit.verify()).ok).toBe(true);
    });

    it('(d) a forged head (count changed) is detected', async () => {
      const n = await count();
      const head = await h.db.one<{ count: number; hash: string; signature: string }>('select count, hash, signature from audit_head');
      // Forge the head to match the chain after deleting the newest row: count and hash right, signature old.
      const [previous] = await rowsAt([n - 1]);
      const [newest] = await rowsAt([n]);
      await h.db.query('delete from audit_log where seq = $1', [n]);
      await h.db.query('update audit_head set count = $1, hash = $2', [n - 1, previous!.hash]);
      const result = await h.ctx.audit.verify();
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/signed head .*altered/);
      await restore([newest!]);
      // Only the count changed.
      await h.db.query('update audit_head set count = $1, hash = $2', [n + 5, head.hash]);
      expect((await h.ctx.audit.verify()).ok).toBe(false);
      await h.db.query('update audit_head set count = $1, hash = $2, signature = $3', [head.count, head.hash, head.signature]);
      expect((await h.ctx.audit.verify()).ok).toBe(true);
    });

    it('(d2) a missing head with rows present is detected', async () => {
      const head = await h.db.one<{ count: number; hash: string; signature: string }>('select count, hash, signature from audit_head');
      await h.db.query('delete from audit_head');
      expect(await h.ctx.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: 1 });
      await h.db.query('insert into audit_head (id, count, hash, signature) values (true, $1, $2, $3)', [head.count, head.hash, head.signature]);
      expect((await h.ctx.audit.verify()).ok).toBe(true);
    });
  });

  it('20 appends in parallel keep the chain intact and contiguous', async () => {
    const before = await count();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.ctx.audit.append({ actor: { id: null, label: 'system' }, action: 'test.parallel', subject: { type: 'test', id: String(i) }, details: { i } }),
      ),
    );
    const seqs = (await h.db.query<{ seq: number }>('select seq from audit_log order by seq')).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: before + 20 }, (_, i) => i + 1));
    const subjects = (await h.db.query<{ subject_id: string }>(`select subject_id from audit_log where action = 'test.parallel'`)).map((r) => Number(r.subject_id));
    expect(subjects.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await h.ctx.audit.verify()).toEqual({ ok: true, checked: before + 20 });
  });

  it('an append inside a rolled-back transaction leaves nothing behind', async () => {
    const before = await count();
    await expect(
      h.db.transaction(async (tx) => {
        await h.ctx.audit.append({ actor: { id: null, label: 'system' }, action: 'test.rolled_back' }, tx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await count()).toBe(before);
    expect((await h.ctx.audit.verify()).ok).toBe(true);
  });

  describe('API', () => {
    let token: string;
    beforeAll(async () => {
      token = await bearer(h.app, 'admin');
    });

    it('lists newest first with a cursor', async () => {
      const n = await count();
      const auth = { authorization: `Bearer ${token}` };
      const first = await h.app.inject({ url: '/api/v1/audit?limit=5', headers: auth });
      expect(first.statusCode).toBe(200);
      const page1 = first.json() as { entries: { seq: number; action: string; at: string }[]; nextCursor: number | null };
      expect(page1.entries.map((e) => e.seq)).toEqual([n, n - 1, n - 2, n - 3, n - 4]);
      expect(page1.nextCursor).toBe(n - 4);
      expect(page1.entries[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      const second = await h.app.inject({ url: `/api/v1/audit?limit=5&before=${page1.nextCursor}`, headers: auth });
      const page2 = second.json() as { entries: { seq: number }[]; nextCursor: number | null };
      expect(page2.entries.map((e) => e.seq)).toEqual([n - 5, n - 6, n - 7, n - 8, n - 9]);
      // The last page has no cursor.
      const last = (await h.app.inject({ url: '/api/v1/audit?limit=5&before=3', headers: auth })).json() as { entries: { seq: number }[]; nextCursor: number | null };
      expect(last.entries.map((e) => e.seq)).toEqual([2, 1]);
      expect(last.nextCursor).toBeNull();
    });

    it('filters by subject', async () => {
      const res = await h.app.inject({ url: '/api/v1/audit?subjectType=test&subjectId=7', headers: { authorization: `Bearer ${token}` } });
      const body = res.json() as { entries: { subjectType: string; subjectId: string; details: Record<string, unknown> }[] };
      expect(body.entries).toHaveLength(1);
      expect(body.entries[0]).toMatchObject({ subjectType: 'test', subjectId: '7', details: { i: 7 } });
    });

    it('verifies the chain', async () => {
      const res = await h.app.inject({ url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ok: true, checked: await count() });
    });

    it('is for admins only', async () => {
      expect((await h.app.inject('/api/v1/audit')).statusCode).toBe(401);
      const officer = await bearer(h.app, h.accounts.find((a) => a.role === 'officer')!.login);
      const res = await h.app.inject({ url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${officer}` } });
      expect(res.statusCode).toBe(403);
    });
  });
});
