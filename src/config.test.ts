import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('config', () => {
  it('has working defaults: PGlite under ./data, Kota Cilegon, demo on', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.database.kind).toBe('pglite');
    expect(c.cityCode).toBe('36.72');
    expect(c.demo).toBe(true);
    expect(c.secretKey).toBeUndefined();
    expect(c.trustProxy).toBe(false);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', CITY_CODE: 'cilegon', DATABASE_URL: 'mysql://x', DEMO: 'maybe', TLS_CERT: '/nonexistent.pem' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'CITY_CODE', 'DATABASE_URL', 'DEMO', 'TLS_KEY']) expect(problems).toContain(name);
  });

  it('reads the report settings and refuses out-of-range values, naming each', () => {
    const c = loadConfig({ REPORT_AUTOCLOSE_DAYS: '14', DUPLICATE_RADIUS_M: '80', FILES_DIR: '/srv/foto' });
    expect(c.reports).toEqual({ autoCloseDays: 14, duplicateRadiusMeters: 80, duplicateWindowDays: 30 });
    expect(c.filesDir).toBe('/srv/foto');
    const bad = () => loadConfig({ REPORT_AUTOCLOSE_DAYS: '0', DUPLICATE_RADIUS_M: 'jauh', DATABASE_POOL_MAX: '500' });
    for (const name of ['REPORT_AUTOCLOSE_DAYS', 'DUPLICATE_RADIUS_M', 'DATABASE_POOL_MAX']) expect(bad).toThrow(name);
  });

  it('serves OpenStreetMap tiles by default, none when MAP_TILE_URL is empty, and checks a given URL', () => {
    expect(loadConfig({}).mapTiles?.url).toBe('https://tile.openstreetmap.org/{z}/{x}/{y}.png');
    expect(loadConfig({ MAP_TILE_URL: '' }).mapTiles).toBeNull();
    expect(loadConfig({ MAP_TILE_URL: 'https://tiles.kota.go.id/{z}/{x}/{y}.png', MAP_TILE_ATTRIBUTION: 'Diskominfo' }).mapTiles).toEqual({ url: 'https://tiles.kota.go.id/{z}/{x}/{y}.png', attribution: 'Diskominfo' });
    expect(() => loadConfig({ MAP_TILE_URL: 'tiles.png' })).toThrow('MAP_TILE_URL');
  });

  it('requires the secret key with PostgreSQL, which several nodes share', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/satukota' })).toThrow(/SATUKOTA_SECRET_KEY/);
    const c = loadConfig({ DATABASE_URL: 'postgres://localhost/satukota', SATUKOTA_SECRET_KEY: 'x'.repeat(40) });
    expect(c.database).toEqual({ kind: 'postgresql', url: 'postgres://localhost/satukota', poolMax: 10 });
    expect(c.demo).toBe(false);
  });

  it('reads TRUST_PROXY as off, a hop count (1 is one proxy, not "trust all") or an address list', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1,10.0.0.0/8' }).trustProxy).toBe('127.0.0.1,10.0.0.0/8');
  });

  it('refuses TRUST_PROXY=true (any client could forge its address) and says what to give instead', () => {
    for (const value of ['true', 'yes', 'on', 'TRUE']) {
      let error: unknown;
      try {
        loadConfig({ TRUST_PROXY: value });
      } catch (e) {
        error = e;
      }
      expect(error, value).toBeInstanceOf(ConfigError);
      const problem = (error as ConfigError).problems.find((p) => p.startsWith('TRUST_PROXY:'));
      expect(problem, value).toMatch(/X-Forwarded-For/);
      expect(problem, value).toMatch(/number of proxies/);
      expect(problem, value).toMatch(/CIDR/);
    }
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });
});
