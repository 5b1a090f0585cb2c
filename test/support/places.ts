/** Points inside the demo city's (approximate) kelurahan polygons. */
export const RAMANUJU = { lat: -5.98979, lng: 106.0143, code: '36.72.07.1001' };
export const CIBEBER = { lat: -6.03932, lng: 106.0674, code: '36.72.01.1001' };
