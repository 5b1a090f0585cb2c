import { afterAll, beforeAll, expect, it } from 'vitest';
import { asSession, describeEachDatabase, login, startHarness, type Harness, type Session } from '../support/harness.js';
import { CIBEBER, RAMANUJU } from '../support/places.js';
import { openSse, type SseEvent, type SseStream } from '../support/sse.js';

/**
 * The live stream (server-sent events) on a real port: a report reaches the viewers who may see it,
 * as they may see it, and never anyone else — an anonymous reporter stays hidden from officers,
 * nothing unverified reaches the public, a confidential report reaches the public reduced.
 */
type ReportEventData = { topic: string; view: string; report: Record<string, unknown> } & Record<string, unknown>;

describeEachDatabase('live stream', (kind) => {
  let h: Harness;
  let base: string;
  let citizen: Session;
  let other: Session;
  let lurah: Session;
  let lurahCibeber: Session;
  let command: Session;
  const streams: SseStream<ReportEventData>[] = [];

  beforeAll(async () => {
    h = await startHarness(kind);
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    citizen = await login(h.app, '3672011708900001');
    other = await login(h.app, '3672074503850002');
    lurah = await login(h.app, 'lurah.ramanuju');
    lurahCibeber = await login(h.app, 'lurah.cibeber');
    command = await login(h.app, 'command');
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await h?.close();
  });

  /** Opens a stream as `session` (or the public) and collects its events. */
  const open = async (session: Session | null) => {
    const stream = await openSse<ReportEventData>(`${base}/api/v1/live`, session ? { cookie: session.cookie } : {});
    streams.push(stream);
    return stream;
  };

  const post = (s: Session, url: string, payload: unknown) => h.app.inject({ method: 'POST', url, headers: asSession(s), payload: payload as object });
  const about = (trackingNo: string, topic?: string) => (e: SseEvent<ReportEventData>) => e.event === 'report' && e.data.report.trackingNo === trackingNo && (!topic || e.data.topic === topic);

  it('brings a new report to those who may see it, and to nobody else', async () => {
    const [pub, mine, stranger, lurahStream, cibeberStream, wall] = await Promise.all([open(null), open(citizen), open(other), open(lurah), open(lurahCibeber), open(command)]);
    const r = (await post(citizen, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah menumpuk di depan sekolah.', ...RAMANUJU })).json().report;

    const onWall = await wall.next(about(r.trackingNo, 'report.submitted'));
    expect(onWall?.data).toMatchObject({ view: 'officer', report: { trackingNo: r.trackingNo, status: 'submitted' } });
    expect((await lurahStream.next(about(r.trackingNo)))?.data.view).toBe('officer');
    expect((await mine.next(about(r.trackingNo)))?.data.view).toBe('reporter');

    // Once verified it is public, in the public shape: no reporter, no officer-only fields.
    await post(lurah, `/api/v1/reports/${r.id}/actions/verify`, {});
    const seen = await pub.next(about(r.trackingNo, 'report.status_changed'));
    expect(seen?.data.view).toBe('public');
    expect(seen?.data.report).toMatchObject({ status: 'verified', description: 'Sampah menumpuk di depan sekolah.' });
    expect(seen?.data.report).not.toHaveProperty('reporter');
    expect(seen?.data.report).not.toHaveProperty('instruction');
    expect((await stranger.next(about(r.trackingNo, 'report.status_changed')))?.data.view).toBe('public');
    expect((await cibeberStream.next(about(r.trackingNo, 'report.status_changed')))?.data.view).toBe('public');
    // Before the verification (which each has now received) the public, another citizen and another
    // kelurahan's officer heard nothing of it.
    for (const s of [pub, stranger, cibeberStream]) expect(s.events.filter(about(r.trackingNo)).map((e) => e.data.topic)).toEqual(['report.status_changed']);
  });

  it('never carries an anonymous reporter to officers, nor a confidential report’s content to the public', async () => {
    const [pub, wall, lurahStream] = await Promise.all([open(null), open(command), open(lurah)]);
    const anon = (await post(citizen, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah liar dekat rumah saya.', ...RAMANUJU, privacy: 'anonymous' })).json().report;
    const secret = (await post(citizen, '/api/v1/reports', { categoryCode: 'sampah', description: 'Rahasia: pembuangan limbah oleh pabrik X.', ...RAMANUJU, privacy: 'confidential' })).json().report;
    for (const r of [anon, secret]) await post(lurah, `/api/v1/reports/${r.id}/actions/verify`, {});

    const forWall = await wall.next(about(anon.trackingNo, 'report.status_changed'));
    expect(forWall?.data.report.reporter).toBeNull();
    const forLurah = await lurahStream.next(about(anon.trackingNo, 'report.status_changed'));
    expect(forLurah?.data.report.reporter).toBeNull();
    const confidential = await pub.next(about(secret.trackingNo, 'report.status_changed'));
    expect(confidential?.data.report).toMatchObject({ confidential: true, description: null, location: null, address: null });

    // Nothing any stream carried names the citizen, their NIK or phone.
    const everything = JSON.stringify([...pub.events, ...wall.events, ...lurahStream.events]);
    for (const secretText of ['Ahmad Fauzi', '3672011708900001', '81234560001']) expect(everything).not.toContain(secretText);
    expect(JSON.stringify(pub.events)).not.toContain('pembuangan limbah');
  });

  it('keeps an officer’s stream to their scope', async () => {
    const cibeberStream = await open(lurahCibeber);
    const here = (await post(citizen, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah di Cibeber menumpuk.', ...CIBEBER })).json().report;
    const there = (await post(citizen, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah di Ramanuju menumpuk.', ...RAMANUJU })).json().report;
    const after = (await post(citizen, '/api/v1/reports', { categoryCode: 'sampah', description: 'Sampah di Cibeber belum diangkut.', ...CIBEBER })).json().report;
    expect((await cibeberStream.next(about(here.trackingNo)))?.data.view).toBe('officer');
    // The report filed after the one in Ramanuju has arrived: the one in Ramanuju never will.
    await cibeberStream.next(about(after.trackingNo));
    expect(cibeberStream.events.filter(about(there.trackingNo))).toEqual([]);
  });
});
