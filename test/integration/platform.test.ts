import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startHarness, type Harness } from '../support/harness.js';
import { migrate } from '../../src/platform/migrate.js';

describeEachDatabase('platform', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => h?.close());

  it('answers /health with the database kind', async () => {
    const res = await h.app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: kind });
  });

  it('serves the OpenAPI 3.1 document and the docs page', async () => {
    const doc = (await h.app.inject('/api/openapi.json')).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/me', '/api/v1/regions', '/api/v1/agencies']) expect(doc.paths).toHaveProperty([p]);
    const page = await h.app.inject('/api/docs');
    expect([200, 302]).toContain(page.statusCode);
  });

  it('describes the demo city (tests configure no map tiles)', async () => {
    expect((await h.app.inject('/api/v1/city')).json()).toEqual({ code: '36.72', name: 'Kota Cilegon', provinceName: 'Banten', timezone: 'Asia/Jakarta', demo: true, mapTiles: null });
  });

  it('re-running migrations changes nothing', async () => {
    const result = await migrate(h.db);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toBeGreaterThan(0);
  });

  it('answers unknown API paths with a JSON 404 in the asked language', async () => {
    const id = await h.app.inject('/api/v1/nothing');
    expect(id.statusCode).toBe(404);
    expect(id.json().error.code).toBe('not_found');
    const en = await h.app.inject({ url: '/api/v1/nothing', headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(en.json().error.message).toMatch(/^No route/);
  });

  it('normalises bigint to number on both drivers', async () => {
    const row = await h.db.one<{ n: number; d: string }>(`select 9007199254740991::bigint as n, date '2026-11-25' as d`);
    expect(row).toEqual({ n: 9007199254740991, d: '2026-11-25' });
  });
});
