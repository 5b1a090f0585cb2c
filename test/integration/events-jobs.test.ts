import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/platform/db.js';
import { EventDispatcher, publish, type OutboxEvent } from '../../src/platform/events.js';
import { enqueue, JobRunner } from '../../src/platform/jobs.js';
import { databaseUrl } from '../support/env.js';
import { describeEachDatabase, startHarness, type Harness } from '../support/harness.js';

/** The outbox (events written with the change they announce) and the database job queue. */
interface OutboxRow {
  id: number;
  topic: string;
  payload: Record<string, unknown>;
  dispatched_at: Date | null;
  attempts: number;
  last_error: string | null;
}

interface JobRow {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  run_at: Date;
  last_error: string | null;
  finished_at: Date | null;
  locked_until: Date | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDatabase('events and jobs', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => h?.close());

  const outbox = (topic: string) => h.db.query<OutboxRow>('select id, topic, payload, dispatched_at, attempts, last_error from outbox where topic = $1 order by id', [topic]);
  const jobs = (jobKind: string) =>
    h.db.query<JobRow>('select id, kind, status, attempts, run_at, last_error, finished_at, locked_until from jobs where kind = $1 order by id', [jobKind]);

  it('the demo seed published its registrations in the outbox', async () => {
    const rows = await outbox('identity.citizen_registered');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.dispatched_at === null && r.attempts === 0)).toBe(true);
    expect(rows[0]!.payload).toHaveProperty('userId');
  });

  describe('outbox', () => {
    beforeEach(async () => {
      // Every test starts with nothing pending.
      await h.db.query('update outbox set dispatched_at = now() where dispatched_at is null');
    });

    it('an event published in a transaction that fails is not written', async () => {
      await expect(
        h.db.transaction(async (tx) => {
          await publish(tx, 'identity.rolled_back', { n: 1 });
          await tx.query('select 1');
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await outbox('identity.rolled_back')).toEqual([]);
    });

    it('a committed event is delivered once to every matching subscriber and marked dispatched', async () => {
      const dispatcher = new EventDispatcher(h.db, h.ctx.log);
      const seen: Record<string, OutboxEvent[]> = { prefix: [], all: [], exact: [], other: [] };
      dispatcher.subscribe('identity.*', (e) => void seen.prefix!.push(e));
      dispatcher.subscribe('*', (e) => void seen.all!.push(e));
      dispatcher.subscribe('identity.test_committed', async (e) => void seen.exact!.push(e));
      dispatcher.subscribe('reports.*', (e) => void seen.other!.push(e));
      await h.db.transaction(async (tx) => {
        await publish(tx, 'identity.test_committed', { userId: 'u-1', nested: { a: [1, 2] } });
      });
      expect(await dispatcher.dispatchBatch()).toBe(1);
      expect(seen.prefix).toHaveLength(1);
      expect(seen.all).toHaveLength(1);
      expect(seen.exact).toHaveLength(1);
      expect(seen.other).toHaveLength(0);
      const event = seen.prefix![0]!;
      expect(event).toMatchObject({ topic: 'identity.test_committed', payload: { userId: 'u-1', nested: { a: [1, 2] } } });
      expect(typeof event.id).toBe('number');
      expect(event.createdAt).toBeInstanceOf(Date);
      const [row] = await outbox('identity.test_committed');
      expect(row!.dispatched_at).toBeInstanceOf(Date);
      expect(row!.attempts).toBe(1);
      // Nothing is delivered twice.
      expect(await dispatcher.dispatchBatch()).toBe(0);
      expect(seen.all).toHaveLength(1);
    });

    it('patterns: a prefix matches only at a dot; unsubscribing stops delivery', async () => {
      const dispatcher = new EventDispatcher(h.db, h.ctx.log);
      const prefix: string[] = [];
      const all: string[] = [];
      dispatcher.subscribe('identity.*', (e) => void prefix.push(e.topic));
      const unsubscribe = dispatcher.subscribe('*', (e) => void all.push(e.topic));
      await publish(h.db, 'identityx.lookalike', {});
      await publish(h.db, 'identity.one', {});
      expect(await dispatcher.dispatchBatch()).toBe(2);
      expect(prefix).toEqual(['identity.one']);
      expect(all).toEqual(['identityx.lookalike', 'identity.one']);
      unsubscribe();
      await publish(h.db, 'identity.two', {});
      await dispatcher.dispatchBatch();
      expect(prefix).toEqual(['identity.one', 'identity.two']);
      expect(all).toHaveLength(2);
    });

    it('a failing subscriber leaves the event pending with attempts counted and backs off; a later dispatch delivers it', async () => {
      const dispatcher = new EventDispatcher(h.db, h.ctx.log);
      let fail = true;
      const delivered: number[] = [];
      dispatcher.subscribe('identity.*', (e) => {
        if (fail) throw new Error('webhook unreachable');
        delivered.push(e.id);
      });
      const expireBackOff = () => h.db.query(`update outbox set claimed_until = now() - interval '1 second' where topic = 'identity.flaky'`);
      await publish(h.db, 'identity.flaky', { n: 1 });
      const before = Date.now();
      expect(await dispatcher.dispatchBatch()).toBe(1);
      let [row] = await outbox('identity.flaky');
      expect(row).toMatchObject({ dispatched_at: null, attempts: 1 });
      expect(row!.last_error).toMatch(/webhook unreachable/);
      expect(h.logLines.some((l) => l.includes('event subscriber failed'))).toBe(true);
      // Backing off (2 s after the first failure): an immediate dispatch leaves it alone.
      const backOff = await h.db.one<{ claimed_until: Date }>(`select claimed_until from outbox where topic = 'identity.flaky'`);
      expect(backOff.claimed_until.getTime()).toBeGreaterThan(before + 1_000);
      expect(backOff.claimed_until.getTime()).toBeLessThan(Date.now() + 5_000);
      expect(await dispatcher.dispatchBatch()).toBe(0);
      // Due again and still failing: attempts keep counting, the back-off grows.
      await expireBackOff();
      expect(await dispatcher.dispatchBatch()).toBe(1);
      [row] = await outbox('identity.flaky');
      expect(row).toMatchObject({ dispatched_at: null, attempts: 2 });
      const longer = await h.db.one<{ seconds: number }>(`select extract(epoch from claimed_until - now())::float8 as seconds from outbox where topic = 'identity.flaky'`);
      expect(longer.seconds).toBeGreaterThan(2.5);
      fail = false;
      await expireBackOff();
      expect(await dispatcher.dispatchBatch()).toBe(1);
      [row] = await outbox('identity.flaky');
      expect(row!.dispatched_at).toBeInstanceOf(Date);
      expect(row!.attempts).toBe(3);
      expect(delivered).toEqual([row!.id]);
      expect(await dispatcher.dispatchBatch()).toBe(0);
    });

    it('an event claimed by another dispatcher is left alone until its lease ends', async () => {
      const dispatcher = new EventDispatcher(h.db, h.ctx.log);
      const seen: string[] = [];
      dispatcher.subscribe('*', (e) => void seen.push(e.topic));
      await publish(h.db, 'identity.leased', {});
      // A node claimed it and died mid-batch.
      await h.db.query(`update outbox set claimed_until = now() + interval '60 seconds' where topic = 'identity.leased'`);
      expect(await dispatcher.dispatchBatch()).toBe(0);
      await h.db.query(`update outbox set claimed_until = now() - interval '1 second' where topic = 'identity.leased'`);
      expect(await dispatcher.dispatchBatch()).toBe(1);
      expect(seen).toEqual(['identity.leased']);
    });

    it('one failing event does not hold back the others in the batch', async () => {
      const dispatcher = new EventDispatcher(h.db, h.ctx.log);
      const delivered: string[] = [];
      dispatcher.subscribe('*', (e) => {
        if (e.payload.bad) throw new Error('bad event');
        delivered.push(String(e.payload.n));
      });
      await publish(h.db, 'identity.batch', { n: 1 });
      await publish(h.db, 'identity.batch', { n: 2, bad: true });
      await publish(h.db, 'identity.batch', { n: 3 });
      expect(await dispatcher.dispatchBatch()).toBe(3);
      expect(delivered).toEqual(['1', '3']);
      const rows = await outbox('identity.batch');
      expect(rows.map((r) => r.dispatched_at !== null)).toEqual([true, false, true]);
    });

    it('gives up on an event after 20 attempts', async () => {
      const dispatcher = new EventDispatcher(h.db, h.ctx.log);
      await publish(h.db, 'identity.poison', {});
      await h.db.query(`update outbox set attempts = 20 where topic = 'identity.poison'`);
      expect(await dispatcher.dispatchBatch()).toBe(0);
    });

    // Delivery happens outside the claiming transaction: on PGlite (one connection) a subscriber
    // that queries through ctx.db would otherwise wait forever.
    it('a subscriber may use the database', async () => {
      const dispatcher = new EventDispatcher(h.db, h.ctx.log);
      let users = -1;
      dispatcher.subscribe('identity.*', async () => {
        users = (await h.db.one<{ n: number }>('select count(*)::bigint as n from users')).n;
        await h.ctx.audit.append({ actor: { id: null, label: 'system' }, action: 'test.subscriber' });
      });
      await publish(h.db, 'identity.reads', {});
      const result = await Promise.race([dispatcher.dispatchBatch(), sleep(5000).then(() => 'timeout' as const)]);
      expect(result).toBe(1);
      expect(users).toBeGreaterThan(0);
      expect((await h.db.query(`select 1 from audit_log where action = 'test.subscriber'`)).length).toBe(1);
    });
  });

  describe('jobs', () => {
    beforeEach(async () => {
      // runDue takes any due job; each test starts with an empty queue.
      await h.db.query('delete from jobs');
    });

    it('runDue runs an enqueued job once', async () => {
      const runner = new JobRunner(h.db, h.ctx.log);
      const calls: { payload: Record<string, unknown>; attempts: number }[] = [];
      runner.register('test.ok', async (payload, job) => void calls.push({ payload, attempts: job.attempts }));
      await enqueue(h.db, 'test.ok', { a: 1 });
      expect(await runner.runDue()).toBe(1);
      expect(calls).toEqual([{ payload: { a: 1 }, attempts: 1 }]);
      const [job] = await jobs('test.ok');
      expect(job).toMatchObject({ status: 'done', attempts: 1, locked_until: null, last_error: null });
      expect(job!.finished_at).toBeInstanceOf(Date);
      expect(await runner.runDue()).toBe(0);
      expect(calls).toHaveLength(1);
    });

    it('a job enqueued in a rolled-back transaction does not exist', async () => {
      await expect(
        h.db.transaction(async (tx) => {
          await enqueue(tx, 'test.ok', {});
          throw new Error('nope');
        }),
      ).rejects.toThrow('nope');
      expect(await jobs('test.ok')).toEqual([]);
    });

    it('a job with a future run_at waits', async () => {
      const runner = new JobRunner(h.db, h.ctx.log);
      let ran = 0;
      runner.register('test.later', async () => void ran++);
      await enqueue(h.db, 'test.later', {}, { runAt: new Date(Date.now() + 60_000) });
      expect(await runner.runDue()).toBe(0);
      await h.db.query(`update jobs set run_at = now() - interval '1 second' where kind = 'test.later'`);
      expect(await runner.runDue()).toBe(1);
      expect(ran).toBe(1);
    });

    it('a failing job goes back to pending with back-off and the error; it runs again when due', async () => {
      const runner = new JobRunner(h.db, h.ctx.log);
      let fail = true;
      let calls = 0;
      runner.register('test.flaky', async () => {
        calls++;
        if (fail) throw new Error('gateway down');
      });
      await enqueue(h.db, 'test.flaky', {});
      const before = Date.now();
      expect(await runner.runDue()).toBe(1);
      let [job] = await jobs('test.flaky');
      expect(job).toMatchObject({ status: 'pending', attempts: 1, locked_until: null, finished_at: null });
      expect(job!.last_error).toMatch(/gateway down/);
      // First retry after 2^1 × 5 s.
      expect(job!.run_at.getTime()).toBeGreaterThan(before + 5_000);
      expect(job!.run_at.getTime()).toBeLessThan(Date.now() + 15_000);
      // Not due yet: nothing runs.
      expect(await runner.runDue()).toBe(0);
      expect(calls).toBe(1);
      fail = false;
      await h.db.query(`update jobs set run_at = now() - interval '1 second' where kind = 'test.flaky'`);
      expect(await runner.runDue()).toBe(1);
      [job] = await jobs('test.flaky');
      expect(job).toMatchObject({ status: 'done', attempts: 2 });
      expect(calls).toBe(2);
    });

    it('a job that reaches max attempts is failed for good', async () => {
      const runner = new JobRunner(h.db, h.ctx.log);
      runner.register('test.doomed', async () => {
        throw new Error('always');
      });
      await enqueue(h.db, 'test.doomed', {}, { maxAttempts: 2 });
      await runner.runDue();
      await h.db.query(`update jobs set run_at = now() - interval '1 second' where kind = 'test.doomed'`);
      await runner.runDue();
      const [job] = await jobs('test.doomed');
      expect(job).toMatchObject({ status: 'failed', attempts: 2 });
      expect(job!.finished_at).toBeInstanceOf(Date);
      await h.db.query(`update jobs set run_at = now() - interval '1 second' where kind = 'test.doomed'`);
      expect(await runner.runDue()).toBe(0);
    });

    it('a job without a handler fails with a clear error instead of vanishing', async () => {
      const runner = new JobRunner(h.db, h.ctx.log);
      await enqueue(h.db, 'test.unknown', {});
      await runner.runDue();
      const [job] = await jobs('test.unknown');
      expect(job!.status).toBe('pending');
      expect(job!.last_error).toMatch(/no handler for job kind test\.unknown/);
    });

    it('uniqueKey de-duplicates pending jobs (per kind), not finished ones', async () => {
      await enqueue(h.db, 'test.unique', { n: 1 }, { uniqueKey: 'report-1' });
      await enqueue(h.db, 'test.unique', { n: 2 }, { uniqueKey: 'report-1' });
      await enqueue(h.db, 'test.unique', { n: 3 }, { uniqueKey: 'report-2' });
      await enqueue(h.db, 'test.unique.other', { n: 4 }, { uniqueKey: 'report-1' });
      await enqueue(h.db, 'test.unique', { n: 5 });
      await enqueue(h.db, 'test.unique', { n: 6 });
      const pending = await h.db.query<{ payload: { n: number } }>(`select payload from jobs where kind = 'test.unique' order by id`);
      expect(pending.map((r) => r.payload.n)).toEqual([1, 3, 5, 6]);
      const runner = new JobRunner(h.db, h.ctx.log);
      const ran: number[] = [];
      runner.register('test.unique', async (p) => void ran.push(p.n as number));
      runner.register('test.unique.other', async (p) => void ran.push(p.n as number));
      expect(await runner.runDue()).toBe(5);
      expect(ran.sort()).toEqual([1, 3, 4, 5, 6]);
      // Once done, the same key may be enqueued again.
      await enqueue(h.db, 'test.unique', { n: 7 }, { uniqueKey: 'report-1' });
      expect((await h.db.query(`select 1 from jobs where kind = 'test.unique' and status = 'pending'`)).length).toBe(1);
    });

    it('a running job whose lease expired is picked up again', async () => {
      const runner = new JobRunner(h.db, h.ctx.log);
      let ran = 0;
      runner.register('test.orphan', async () => void ran++);
      await enqueue(h.db, 'test.orphan', {});
      await h.db.query(`update jobs set status = 'running', attempts = 1, locked_until = now() + interval '5 minutes' where kind = 'test.orphan'`);
      expect(await runner.runDue()).toBe(0);
      await h.db.query(`update jobs set locked_until = now() - interval '1 second' where kind = 'test.orphan'`);
      expect(await runner.runDue()).toBe(1);
      expect(ran).toBe(1);
      expect((await jobs('test.orphan'))[0]).toMatchObject({ status: 'done', attempts: 2 });
    });

    it('start() polls events and jobs; recurring jobs re-enqueue themselves', async () => {
      await h.db.query('update outbox set dispatched_at = now() where dispatched_at is null');
      const dispatcher = new EventDispatcher(h.db, h.ctx.log);
      const events: string[] = [];
      dispatcher.subscribe('*', (e) => void events.push(e.topic));
      const runner = new JobRunner(h.db, h.ctx.log, dispatcher);
      let ticks = 0;
      let oneOff = 0;
      runner.every('test.sweep', 60_000, async () => void ticks++);
      runner.register('test.once', async () => void oneOff++);
      await publish(h.db, 'identity.polled', {});
      await enqueue(h.db, 'test.once', {});
      await runner.start(50);
      try {
        const deadline = Date.now() + 10_000;
        while ((ticks < 1 || oneOff < 1 || events.length < 1) && Date.now() < deadline) await sleep(50);
      } finally {
        await runner.stop();
      }
      expect({ ticks, oneOff, events }).toEqual({ ticks: 1, oneOff: 1, events: ['identity.polled'] });
      const sweeps = await jobs('test.sweep');
      expect(sweeps.map((j) => j.status)).toEqual(['done', 'pending']);
      expect(sweeps[1]!.run_at.getTime()).toBeGreaterThan(Date.now() + 50_000);
      // Starting again does not add a second pending sweep.
      await runner.start(50);
      await runner.stop();
      expect((await jobs('test.sweep')).filter((j) => j.status === 'pending')).toHaveLength(1);
    });

    it.skipIf(kind !== 'postgresql')('two runners on separate pools run each of 20 jobs exactly once', async () => {
      const second = await openPostgres(databaseUrl(h.databaseName!), { max: 3 });
      try {
        const runs: { runner: string; n: number }[] = [];
        const make = (name: string, db: typeof h.db) => {
          const runner = new JobRunner(db, h.ctx.log);
          runner.register('test.parallel', async (payload) => {
            runs.push({ runner: name, n: payload.n as number });
            await sleep(15);
          });
          return runner;
        };
        const a = make('a', h.db);
        const b = make('b', second);
        for (let n = 0; n < 20; n++) await enqueue(h.db, 'test.parallel', { n });
        const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()]);
        expect(ranA + ranB).toBe(20);
        expect(runs.map((r) => r.n).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        // Both took part (each waits 15 ms per job, so neither can drain the queue alone).
        expect(ranA).toBeGreaterThan(0);
        expect(ranB).toBeGreaterThan(0);
        const rows = await jobs('test.parallel');
        expect(rows.every((j) => j.status === 'done' && j.attempts === 1)).toBe(true);
      } finally {
        await second.close();
      }
    });

    it.skipIf(kind !== 'postgresql')('two dispatchers on separate pools deliver each event once', async () => {
      await h.db.query('update outbox set dispatched_at = now() where dispatched_at is null');
      const second = await openPostgres(databaseUrl(h.databaseName!), { max: 3 });
      try {
        const seen: number[] = [];
        const make = (db: typeof h.db) => {
          const d = new EventDispatcher(db, h.ctx.log);
          d.subscribe('*', async (e) => {
            seen.push(e.payload.n as number);
            await sleep(5);
          });
          return d;
        };
        for (let n = 0; n < 20; n++) await publish(h.db, 'identity.parallel', { n });
        const a = make(h.db);
        const b = make(second);
        // Small batches so that both dispatchers claim some.
        const drain = async (d: EventDispatcher) => {
          while ((await d.dispatchBatch(3)) > 0);
        };
        await Promise.all([drain(a), drain(b)]);
        expect(seen.sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      } finally {
        await second.close();
      }
    });
  });
});
