import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { calendarDate, coordinate, instant, unstorableTextAt } from './input.js';

describe('unstorableTextAt', () => {
  it('finds NUL and lone surrogates, in values and keys, and names the field', () => {
    expect(unstorableTextAt({ login: 'admin\u0000' })).toBe('login');
    expect(unstorableTextAt({ a: { b: ['ok', 'x\ud800'] } })).toBe('a.b.1');
    expect(unstorableTextAt({ a: 'lone low \udc00 surrogate' })).toBe('a');
    expect(unstorableTextAt({ answers: { 'k\u0000': 1 } })).toBe('answers.k\u0000');
    expect(unstorableTextAt('\u0000')).toBe('');
  });

  it('lets real text through: emoji (surrogate pairs), scripts, control characters PostgreSQL stores', () => {
    expect(unstorableTextAt({ d: 'Jalan rusak 🙂 — ꦗꦮ, عربي, 漢字, tab\there', n: 1, b: true, z: null })).toBeUndefined();
  });

  it('walks objects of any prototype (Fastify’s query and params), but not a Buffer or a stream', () => {
    const query = Object.create(Object.create(null)) as Record<string, string>;
    query.q = '\u0000';
    expect(unstorableTextAt(query)).toBe('q');
    expect(unstorableTextAt(Buffer.from([0, 0, 0]))).toBeUndefined();
    expect(unstorableTextAt(Readable.from(['\u0000']))).toBeUndefined();
  });
});

describe('dates and coordinates', () => {
  it('takes calendar dates and instants in 1900–9999 only', () => {
    expect(calendarDate().safeParse('2026-08-17').success).toBe(true);
    expect(calendarDate().safeParse('0000-01-01').success).toBe(false);
    expect(calendarDate().safeParse('1899-12-31').success).toBe(false);
    expect(instant().safeParse('2026-08-17T00:00:00+07:00').success).toBe(true);
    expect(instant().safeParse('0000-01-01T00:00:00Z').success).toBe(false);
    // An offset that moves the moment itself before 1900.
    expect(instant().safeParse('1900-01-01T00:00:00+14:00').success).toBe(false);
  });

  it('reads a subnormal coordinate as 0 and keeps real ones', () => {
    expect(coordinate(-90, 90).parse('5e-324')).toBe(0);
    expect(coordinate(-90, 90).parse('-6.0123456')).toBe(-6.0123456);
    expect(coordinate(-90, 90).safeParse('91').success).toBe(false);
  });
});
