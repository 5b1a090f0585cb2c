// Vite config for the SatuKota web app. Build from the repository root with
//   npx vite build --config web/vite.config.ts
// The server serves web/dist as static files on the same origin as the API.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Writes a .br and a .gz beside every text asset, once, at build time: the server sends the
 * precompressed file the browser accepts (a phone on a slow connection downloads a third of the bytes),
 * and no CPU is spent compressing on each request.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'satukota-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json|webmanifest)$/.test(file)) continue;
        const data = fs.readFileSync(file);
        if (data.length < 1024) continue;
        fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  publicDir: path.resolve(here, 'public'),
  plugins: [react(), precompress()],
  build: {
    outDir: path.resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    // On a slow phone connection every request that waits for another costs a round trip (2 s on 3G):
    // the entry's imports are preloaded from index.html, and a lazy area's JS and CSS load side by side.
    // No polyfill: browsers without modulepreload simply load as before.
    modulePreload: { polyfill: false },
    // .vite/manifest.json: the server preloads the lazy area of the page it serves (src/platform/web-shell.ts).
    manifest: true,
    reportCompressedSize: true,
    // The chart library is the command center's alone (a wall screen on the city's network), so its
    // large chunk is accepted; citizen pages are measured by bench/web-load.ts instead.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development, with the API on :3000.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
