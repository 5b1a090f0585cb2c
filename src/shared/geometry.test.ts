import { describe, expect, it } from 'vitest';
import { bboxOf, geometryContains, normaliseGeometry, validateAreaGeometry, type AreaGeometry, type Ring } from './geometry.js';

const square = (x0: number, y0: number, x1: number, y1: number): Ring => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

describe('geometryContains', () => {
  const withHole: AreaGeometry = { type: 'Polygon', coordinates: [square(0, 0, 10, 10), square(4, 4, 6, 6)] };

  it('finds points inside a polygon and not outside', () => {
    const plain: AreaGeometry = { type: 'Polygon', coordinates: [square(0, 0, 10, 10)] };
    expect(geometryContains(plain, 5, 5)).toBe(true);
    expect(geometryContains(plain, 0.001, 9.999)).toBe(true);
    expect(geometryContains(plain, -1, 5)).toBe(false);
    expect(geometryContains(plain, 5, 10.5)).toBe(false);
  });

  it('excludes a hole, whichever way the hole ring turns', () => {
    expect(geometryContains(withHole, 5, 5)).toBe(false);
    expect(geometryContains(withHole, 2, 2)).toBe(true);
    expect(geometryContains(withHole, 7, 5)).toBe(true);
    const reversed: AreaGeometry = { type: 'Polygon', coordinates: [square(0, 0, 10, 10), [...square(4, 4, 6, 6)].reverse()] };
    expect(geometryContains(reversed, 5, 5)).toBe(false);
    expect(geometryContains(reversed, 2, 2)).toBe(true);
  });

  it('handles several holes', () => {
    const twoHoles: AreaGeometry = { type: 'Polygon', coordinates: [square(0, 0, 10, 10), square(1, 1, 3, 3), square(6, 6, 8, 8)] };
    expect(geometryContains(twoHoles, 2, 2)).toBe(false);
    expect(geometryContains(twoHoles, 7, 7)).toBe(false);
    expect(geometryContains(twoHoles, 5, 5)).toBe(true);
  });

  it('a MultiPolygon contains a point in any of its polygons, honouring each one\'s holes', () => {
    const multi: AreaGeometry = { type: 'MultiPolygon', coordinates: [[square(0, 0, 10, 10), square(4, 4, 6, 6)], [[...square(20, 20, 30, 30)]]] };
    expect(geometryContains(multi, 2, 2)).toBe(true);
    expect(geometryContains(multi, 25, 25)).toBe(true);
    expect(geometryContains(multi, 5, 5)).toBe(false);
    expect(geometryContains(multi, 15, 15)).toBe(false);
    // An island inside another polygon's hole counts.
    const island: AreaGeometry = { type: 'MultiPolygon', coordinates: [[square(0, 0, 10, 10), square(3, 3, 7, 7)], [square(4, 4, 6, 6)]] };
    expect(geometryContains(island, 5, 5)).toBe(true);
    expect(geometryContains(island, 3.5, 3.5)).toBe(false);
  });

  it('works on a concave shape and with real lng/lat values', () => {
    // A "U": the notch between the arms is outside.
    const u: AreaGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [6, 0],
          [6, 6],
          [4, 6],
          [4, 2],
          [2, 2],
          [2, 6],
          [0, 6],
          [0, 0],
        ],
      ],
    };
    expect(geometryContains(u, 3, 4)).toBe(false);
    expect(geometryContains(u, 1, 4)).toBe(true);
    expect(geometryContains(u, 3, 1)).toBe(true);
    const cilegon: AreaGeometry = { type: 'Polygon', coordinates: [square(106.0, -6.02, 106.02, -6.0)] };
    expect(geometryContains(cilegon, 106.01, -6.01)).toBe(true);
    expect(geometryContains(cilegon, 106.01, -5.99)).toBe(false);
  });

  it('an empty MultiPolygon contains nothing', () => {
    expect(geometryContains({ type: 'MultiPolygon', coordinates: [] }, 0, 0)).toBe(false);
  });
});

describe('bboxOf', () => {
  it('covers every polygon of a MultiPolygon (outer rings)', () => {
    const g: AreaGeometry = { type: 'MultiPolygon', coordinates: [[square(106, -6.1, 106.05, -6)], [square(105.9, -6.05, 105.95, -5.9)]] };
    expect(bboxOf(g)).toEqual({ minLng: 105.9, minLat: -6.1, maxLng: 106.05, maxLat: -5.9 });
    expect(bboxOf({ type: 'Polygon', coordinates: [square(1, 2, 3, 4)] })).toEqual({ minLng: 1, minLat: 2, maxLng: 3, maxLat: 4 });
  });
});

describe('validateAreaGeometry', () => {
  it('accepts a closed Polygon and MultiPolygon', () => {
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [square(0, 0, 1, 1)] })).toEqual([]);
    expect(validateAreaGeometry({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1), square(0.2, 0.2, 0.4, 0.4)], [square(2, 2, 3, 3)]] })).toEqual([]);
    // An altitude is allowed.
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [square(0, 0, 1, 1).map(([x, y]) => [x, y, 5])] })).toEqual([]);
  });

  it('names a missing geometry or a wrong type', () => {
    expect(validateAreaGeometry(null)).toEqual(['geometry is missing']);
    expect(validateAreaGeometry(undefined)).toEqual(['geometry is missing']);
    expect(validateAreaGeometry('Polygon')).toEqual(['geometry is missing']);
    expect(validateAreaGeometry({ type: 'Point', coordinates: [0, 0] })).toEqual(['geometry type Point is not Polygon or MultiPolygon']);
    expect(validateAreaGeometry({ type: 'LineString', coordinates: [] })[0]).toMatch(/LineString is not Polygon/);
  });

  it('names empty coordinates and empty polygons', () => {
    expect(validateAreaGeometry({ type: 'Polygon' })).toEqual(['polygon 1 has no rings']);
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [] })).toEqual(['polygon 1 has no rings']);
    expect(validateAreaGeometry({ type: 'MultiPolygon', coordinates: [] })).toEqual(['geometry has no coordinates']);
    expect(validateAreaGeometry({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], []] })).toEqual(['polygon 2 has no rings']);
  });

  it('names rings that are too short, unclosed or have bad positions', () => {
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] })).toEqual(['polygon 1 ring 1 needs at least 4 positions']);
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [square(0, 0, 1, 1).slice(0, -1).concat([[0.5, 0.5]])] })).toEqual([
      'polygon 1 ring 1 is not closed',
    ]);
    // Latitude out of range (lat/lng swapped data is a classic mistake), NaN, text, a bare number.
    for (const bad of [[0, 95], [200, 0], [Number.NaN, 0], ['106', '-6'], 5, [1]]) {
      const ring = [[0, 0], bad, [1, 1], [0, 0]];
      expect(validateAreaGeometry({ type: 'Polygon', coordinates: [ring] })).toEqual(['polygon 1 ring 1 position 2 is not a [longitude, latitude] pair']);
    }
  });

  it('lists every problem, with its polygon and ring', () => {
    const problems = validateAreaGeometry({
      type: 'MultiPolygon',
      coordinates: [
        [square(0, 0, 10, 10), square(4, 4, 6, 6).slice(0, -1).concat([[4, 5]])],
        [[[0, 0]], 'nope'],
      ],
    });
    expect(problems).toEqual(['polygon 1 ring 2 is not closed', 'polygon 2 ring 1 needs at least 4 positions', 'polygon 2 ring 2 needs at least 4 positions']);
  });
});

describe('normaliseGeometry', () => {
  it('drops altitude and keeps the shape', () => {
    const ring3d = square(0, 0, 1, 1).map(([x, y]) => [x, y, 42]) as unknown as Ring;
    expect(normaliseGeometry({ type: 'Polygon', coordinates: [ring3d] })).toEqual({ type: 'Polygon', coordinates: [square(0, 0, 1, 1)] });
    expect(normaliseGeometry({ type: 'MultiPolygon', coordinates: [[ring3d], [square(2, 2, 3, 3)]] })).toEqual({
      type: 'MultiPolygon',
      coordinates: [[square(0, 0, 1, 1)], [square(2, 2, 3, 3)]],
    });
  });
});
