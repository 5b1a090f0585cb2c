/**
 * The web app's index.html as the server sends it for a page: with `<link rel="modulepreload">` and
 * stylesheet links for the lazily loaded area that renders the page, and the public boot data (the city;
 * on /lapor the report categories too) inlined as JSON. On a slow phone connection each request that
 * waits for another costs a round trip (2 s on 3G): this way the area's code loads beside the entry
 * instead of after it, and the app needs no request for the city, nor the form for its categories.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Client-side route prefix → the module (its key in Vite's manifest) that the app loads lazily for it,
 * the API reads the page makes at once, and the boot data its page carries beyond the city. Mirrors the
 * lazy areas in web/src/App.tsx; web-shell.test.ts checks each module exists.
 * The reads are preloaded (`<link rel="preload" as="fetch">`, used by the page's own fetch of the same
 * URL): only language-neutral GETs belong here, since a preload carries the browser's Accept-Language
 * rather than the language chosen in the app. So does inlined data (`boot`, keys of the server's boot
 * data; web/src/api.ts reads them).
 */
export const ROUTES: readonly { prefix: string; module: string; reads?: readonly string[]; boot?: readonly string[] }[] = [
  // Lapor's form (web/src/citizen/prefetch.ts): the categories (names in both languages) are its first
  // step, inlined rather than preloaded, so that the area's code has one more of HTTP/1.1's six
  // connections. Not the region tree: the form can show without it.
  { prefix: '/lapor', module: 'src/citizen/CitizenArea.tsx', boot: ['categories'] },
  { prefix: '/laporan-saya', module: 'src/citizen/CitizenArea.tsx' },
  { prefix: '/peta', module: 'src/citizen/CitizenArea.tsx' },
  { prefix: '/petugas', module: 'src/officer/OfficerArea.tsx' },
  { prefix: '/admin', module: 'src/admin/AdminArea.tsx' },
  { prefix: '/command', module: 'src/command/CommandCenter.tsx' },
];

/** What every page reads first: who is logged in (web/src/session.tsx). */
const SHELL_READS = ['/api/v1/me'];

/** The boot data every page carries: the city, for the header. */
const SHELL_BOOT = ['city'];

/** The id of the inlined boot data; web/src/api.ts reads it. */
export const BOOT_ELEMENT_ID = 'sk-boot';

interface ManifestChunk {
  file: string;
  imports?: string[];
  css?: string[];
  isEntry?: boolean;
}
type Manifest = Record<string, ManifestChunk>;

export interface WebShell {
  /** The HTML for a page at `urlPath` (the path without query), with what its page needs of `boot` inlined. */
  render(urlPath: string, boot: Record<string, unknown>): string;
}

const under = (p: string, base: string) => p === base || p.startsWith(`${base}/`);

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * JSON that is safe inside <script type="application/json">: no `<` (so no `</script>` or `<!--` can
 * end or bend the element, whatever a city's name contains), and no U+2028/2029.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The JS files and stylesheets a manifest chunk needs, its static imports included (depth first). */
function closure(manifest: Manifest, key: string, seen: Set<string>, out: { js: string[]; css: string[] }): void {
  if (seen.has(key)) return;
  seen.add(key);
  const chunk = manifest[key];
  if (!chunk) return;
  for (const imp of chunk.imports ?? []) closure(manifest, imp, seen, out);
  out.js.push(chunk.file);
  out.css.push(...(chunk.css ?? []));
}

/** Builds the shell from a build's index.html and .vite/manifest.json (without a manifest: no hints). */
export function createWebShell(indexHtml: string, manifest: Manifest | null): WebShell {
  const hints = new Map<string, string>();
  if (manifest) {
    // What the entry loads is in index.html already.
    const entrySeen = new Set<string>();
    for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) closure(manifest, key, entrySeen, { js: [], css: [] });
    for (const { module } of ROUTES) {
      if (hints.has(module) || !manifest[module]) continue;
      const need = { js: [] as string[], css: [] as string[] };
      closure(manifest, module, new Set(entrySeen), need);
      hints.set(
        module,
        // `crossorigin` as on Vite's own tags: the module requests must match the preloads to use them.
        [...need.css.map((f) => `<link rel="stylesheet" crossorigin href="/${escapeAttr(f)}">`), ...need.js.map((f) => `<link rel="modulepreload" crossorigin href="/${escapeAttr(f)}">`)].join(''),
      );
    }
  }
  // At the end of <head>; a page without one (a stand-in index.html) gets it where the head would end.
  const headEnd = [indexHtml.indexOf('</head>'), indexHtml.indexOf('<body'), indexHtml.length].find((i) => i >= 0)!;
  const before = indexHtml.slice(0, headEnd);
  const after = indexHtml.slice(headEnd);
  return {
    render(urlPath, boot) {
      const route = ROUTES.find(({ prefix }) => under(urlPath, prefix));
      // `crossorigin` (same-origin credentials, CORS mode) as the app's fetch asks: else no reuse.
      const read = (u: string) => `<link rel="preload" as="fetch" crossorigin href="${escapeAttr(u)}">`;
      // In the order they are needed: the browser opens six connections, later ones wait.
      const links = SHELL_READS.map(read).join('') + ((route && hints.get(route.module)) ?? '') + (route?.reads ?? []).map(read).join('');
      const inlined = Object.fromEntries(Object.entries(boot).filter(([key]) => SHELL_BOOT.includes(key) || route?.boot?.includes(key)));
      return `${before}${links}<script type="application/json" id="${BOOT_ELEMENT_ID}">${jsonForScript(inlined)}</script>${after}`;
    },
  };
}

/**
 * The shell of the build in `dir`, read again when its index.html changes (a rebuild while the server
 * runs replaces the hashed file names), or null when there is no build.
 */
export function webShellLoader(dir: string): () => WebShell | null {
  const index = path.join(dir, 'index.html');
  let cached: { mtimeMs: number; shell: WebShell } | null = null;
  return () => {
    const stat = fs.statSync(index, { throwIfNoEntry: false });
    if (!stat) return null;
    if (cached?.mtimeMs !== stat.mtimeMs) {
      const manifestFile = path.join(dir, '.vite', 'manifest.json');
      const manifest = fs.existsSync(manifestFile) ? (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest) : null;
      cached = { mtimeMs: stat.mtimeMs, shell: createWebShell(fs.readFileSync(index, 'utf8'), manifest) };
    }
    return cached.shell;
  };
}
