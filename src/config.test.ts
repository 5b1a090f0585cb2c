import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, loadConfig } from './config.js';

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

  it('keeps the files on local disk unless S3_URL is set, and then reads the S3 settings', () => {
    expect(loadConfig({}).s3).toBeNull();
    const c = loadConfig({ S3_URL: 'http://minio.internal:9000', S3_BUCKET: 'satukota-cilegon', S3_ACCESS_KEY_ID: 'satukota', S3_SECRET_ACCESS_KEY: 'rahasia-panjang' });
    expect(c.s3).toEqual({
      url: 'http://minio.internal:9000',
      bucket: 'satukota-cilegon',
      accessKeyId: 'satukota',
      secretAccessKey: 'rahasia-panjang',
      region: 'us-east-1',
      forcePathStyle: true,
    });
    expect(loadConfig({ S3_URL: 'https://s3.ap-southeast-3.amazonaws.com', S3_BUCKET: 'b12', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's', S3_REGION: 'ap-southeast-3', S3_FORCE_PATH_STYLE: 'false' }).s3).toMatchObject({
      region: 'ap-southeast-3',
      forcePathStyle: false,
    });
  });

  it('lists every S3 variable that S3_URL needs and is missing, together with the other problems', () => {
    let error: unknown;
    try {
      loadConfig({ S3_URL: 'http://minio.internal:9000', S3_ACCESS_KEY_ID: 'satukota', PORT: 'eighty' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'PORT: must be a number',
      'S3_BUCKET: is required with S3_URL',
      'S3_SECRET_ACCESS_KEY: is required with S3_URL',
    ]);
  });

  it('refuses S3 settings without S3_URL (the files would quietly stay on one node\'s disk) and malformed S3 values', () => {
    expect(() => loadConfig({ S3_BUCKET: 'satukota', S3_ACCESS_KEY_ID: 'k' })).toThrow('S3_URL: is required with S3_BUCKET, S3_ACCESS_KEY_ID');
    let error: unknown;
    try {
      loadConfig({ S3_URL: 'minio:9000', S3_BUCKET: 'Foto_Warga', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's', S3_FORCE_PATH_STYLE: 'kadang' });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['S3_URL', 'S3_BUCKET', 'S3_FORCE_PATH_STYLE']);
  });

  it('documents every variable on its schema, with the default the README shows', () => {
    const variables = configVariables();
    expect(variables.map((v) => v.name)).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'S3_URL', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_REGION', 'S3_FORCE_PATH_STYLE']));
    for (const v of variables) expect(v.description.length, v.name).toBeGreaterThan(5);
    const byName = new Map(variables.map((v) => [v.name, v]));
    expect(byName.get('PORT')?.shownDefault).toBe('`3000`');
    expect(byName.get('SESSION_TTL_HOURS')?.shownDefault).toBe('`336`');
    expect(byName.get('DATABASE_URL')?.shownDefault).toBe('unset');
    expect(byName.get('FILES_DIR')?.shownDefault).toBe('`DATA_DIR/files`');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });
});
