import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttp, createContext, type AppContext } from '../../src/app.js';
import { openPostgres } from '../../src/platform/db.js';
import type { HttpApp } from '../../src/platform/http.js';
import { createLogger } from '../../src/platform/logger.js';
import { asSession, bearer, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { databaseUrl } from '../support/env.js';
import { RAMANUJU } from '../support/places.js';
import { openSse, type SseEvent, type SseStream } from '../support/sse.js';

/**
 * The live stream ends with the access it was opened with: a logout, a suspension or a role change
 * closes the officer's open streams at once — on every node, since the end travels on the live
 * channel in commit order — and no event committed afterwards reaches them.
 */

async function listen(app: HttpApp): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

const aboutReport = (trackingNo: string) => (e: SseEvent) => e.event === 'report' && (e.data.report as { trackingNo?: string } | undefined)?.trackingNo === trackingNo;

describeEachDatabase('live stream after the session ends', (kind) => {
  let h: Harness;
  let base: string;
  let citizen: Session;
  let admin: string;
  const streams: SseStream[] = [];

  beforeAll(async () => {
    h = await startHarness(kind);
    base = await listen(h.app);
    citizen = await login(h.app, '3672011708900001');
    admin = await bearer(h.app, 'admin');
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await h?.close();
  });

  const stream = async (baseUrl: string, session: Session | null) => {
    const s = await openSse(`${baseUrl}/api/v1/live`, session ? { cookie: session.cookie } : {});
    streams.push(s);
    return s;
  };

  /** A new report in Ramanuju, which the lurah, the camat and the command wall all see. */
  const fileReport = async (app: HttpApp = h.app) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: asSession(citizen), payload: { categoryCode: 'sampah', description: 'Sampah menumpuk di pinggir jalan.', ...RAMANUJU } });
    expect(res.statusCode).toBe(201);
    return res.json().report.trackingNo as string;
  };

  /** The stream was closed for its ended session, and the report filed afterwards never reached it. */
  const expectClosedBefore = async (s: SseStream, wall: SseStream, trackingNo: string) => {
    expect(await wall.next(aboutReport(trackingNo))).toBeDefined();
    await s.ended;
    expect(s.events.find((e) => e.event === 'closed')?.data).toEqual({ reason: 'session_ended' });
    expect(s.events.find(aboutReport(trackingNo))).toBeUndefined();
  };

  it('sees a report while logged in (the control case)', async () => {
    const lurah = await login(h.app, 'lurah.ramanuju');
    const s = await stream(base, lurah);
    const trackingNo = await fileReport();
    expect(await s.next(aboutReport(trackingNo))).toMatchObject({ data: { view: 'officer' } });
  });

  it('closes the stream at logout; a report filed right after does not reach it', async () => {
    const lurah = await login(h.app, 'lurah.ramanuju');
    const [s, wall] = await Promise.all([stream(base, lurah), stream(base, await login(h.app, 'command'))]);
    const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: asSession(lurah) });
    expect(out.statusCode).toBe(204);
    await expectClosedBefore(s, wall, await fileReport());
  });

  it('leaves the officer\'s other sessions streaming when one logs out', async () => {
    const phone = await login(h.app, 'lurah.ramanuju');
    const desk = await login(h.app, 'lurah.ramanuju');
    const [onPhone, onDesk] = await Promise.all([stream(base, phone), stream(base, desk)]);
    await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: asSession(phone) });
    const trackingNo = await fileReport();
    expect(await onDesk.next(aboutReport(trackingNo))).toBeDefined();
    await onPhone.ended;
    expect(onPhone.events.find(aboutReport(trackingNo))).toBeUndefined();
  });

  it('closes every stream of an officer the admin suspends', async () => {
    const camat = await login(h.app, 'camat.purwakarta');
    const [s, wall] = await Promise.all([stream(base, camat), stream(base, await login(h.app, 'command'))]);
    const res = await h.app.inject({ method: 'PATCH', url: `/api/v1/users/${camat.userId}`, headers: { authorization: `Bearer ${admin}` }, payload: { status: 'suspended' } });
    expect(res.statusCode).toBe(200);
    await expectClosedBefore(s, wall, await fileReport());
    await h.app.inject({ method: 'PATCH', url: `/api/v1/users/${camat.userId}`, headers: { authorization: `Bearer ${admin}` }, payload: { status: 'active' } });
  });

  it('closes the stream of an officer whose scope changes: it was opened with the old one', async () => {
    const lurah = await login(h.app, 'lurah.ramanuju');
    const [s, wall] = await Promise.all([stream(base, lurah), stream(base, await login(h.app, 'command'))]);
    const moved = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${lurah.userId}`,
      headers: { authorization: `Bearer ${admin}` },
      payload: { scope: { kind: 'kelurahan', code: '36.72.01.1001' } },
    });
    expect(moved.statusCode).toBe(200);
    await expectClosedBefore(s, wall, await fileReport());
    // A stream opened afterwards carries the new scope: Ramanuju's reports no longer reach it.
    const again = await stream(base, lurah);
    expect(again.events[0]).toMatchObject({ event: 'hello', data: { viewer: 'officer' } });
    await h.app.inject({ method: 'PATCH', url: `/api/v1/users/${lurah.userId}`, headers: { authorization: `Bearer ${admin}` }, payload: { scope: { kind: 'kelurahan', code: '36.72.07.1001' } } });
  });

  if (kind === 'postgresql') {
    describe('on two nodes', () => {
      let second: { ctx: AppContext; app: HttpApp; base: string };
      beforeAll(async () => {
        const ctx = await createContext(h.config, { db: await openPostgres(databaseUrl(h.databaseName!), { max: 3 }), log: createLogger({ level: 'silent' }), skipMigrations: true });
        const app = await buildHttp(ctx);
        second = { ctx, app, base: await listen(app) };
      });
      afterAll(async () => {
        await second?.app.close();
        await second?.ctx.close();
      });

      it('closes a stream open on the other node when the officer logs out here', async () => {
        const lurah = await login(h.app, 'lurah.ramanuju');
        const [s, wall] = await Promise.all([stream(second.base, lurah), stream(second.base, await login(h.app, 'command'))]);
        expect((await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: asSession(lurah) })).statusCode).toBe(204);
        await expectClosedBefore(s, wall, await fileReport());
      });
    });
  }
});
