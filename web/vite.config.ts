// Vite config for the SatuKota web app. Build from the repository root with
//   npx vite build --config web/vite.config.ts
// The server serves web/dist as static files on the same origin as the API.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  publicDir: path.resolve(here, 'public'),
  plugins: [react()],
  build: {
    outDir: path.resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    // One small JS and one CSS file; React is most of the weight.
    modulePreload: false,
    reportCompressedSize: true,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development, with the API on :3000.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
