/**
 * The security headers every response carries (src/platform/http.ts adds them in onSend).
 *
 * The Content-Security-Policy allows exactly what the web app uses: its own scripts, styles, API and
 * service worker; images from itself, from `data:` (Leaflet's control icons inlined by the build), from
 * `blob:` (photo previews shrunk on the phone) and from the map tiles' server. No inline script: the
 * page's boot data is `<script type="application/json">`, which never runs. No inline style either:
 * Leaflet and React set styles through the DOM (`element.style`), which CSP does not restrict.
 */

export interface SecurityHeaderOptions {
  /** PUBLIC_URL: when it is https, browsers are told to come back over https only (HSTS). */
  publicUrl?: string | undefined;
  /** MAP_TILE_URL, e.g. `https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png`; undefined: no tiles. */
  mapTileUrl?: string | undefined;
}

/**
 * The CSP source for a tile URL template: its scheme, host and port; a `{s}` subdomain becomes `*`.
 * A host with a placeholder anywhere else can only be allowed as its whole scheme (e.g. `https:`).
 */
export function tileSource(template: string): string | null {
  const m = /^(https?):\/\/([^/?#]+)/i.exec(template);
  if (!m) return null;
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.toLowerCase().replace(/^\{[a-z]+\}\./, '*.');
  return /[{}]/.test(host) ? `${scheme}:` : `${scheme}://${host}`;
}

/** `inlineStyles`: the API documentation page only (Swagger UI writes a style element of its own). */
export function contentSecurityPolicy(options: SecurityHeaderOptions, inlineStyles = false): string {
  const tiles = options.mapTileUrl ? tileSource(options.mapTileUrl) : null;
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'", ...(inlineStyles ? ["'unsafe-inline'"] : [])],
    ['img-src', "'self'", 'data:', 'blob:', ...(tiles ? [tiles] : [])],
    ['connect-src', "'self'"],
    ['font-src', "'self'"],
    ['worker-src', "'self'"],
    ['manifest-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

export function securityHeaders(options: SecurityHeaderOptions, inlineStyles = false): Record<string, string> {
  const https = options.publicUrl?.toLowerCase().startsWith('https:') ?? false;
  return {
    'content-security-policy': contentSecurityPolicy(options, inlineStyles),
    // For browsers that predate frame-ancestors.
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // Not no-referrer: OpenStreetMap's tile policy asks for a Referer; other sites get the origin only,
    // never a path such as /laporan-saya/SK-2026-000123.
    'referrer-policy': 'strict-origin-when-cross-origin',
    // TLS usually ends at nginx, so the request itself may look like http: PUBLIC_URL says what citizens use.
    ...(https ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}
