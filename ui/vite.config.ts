import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompress } from './build/precompress.ts';

/**
 * The web UI (`npm run build:ui`, run by `npm install` and `npm run build`): ui/ built into
 * ui/dist, which the server serves at /ui (src/ui/ui.routes.ts). `npm run dev:ui` serves it
 * with live reload, sending API requests to a server on localhost:8000.
 */
const API = [
  '/tams',
  '/service',
  '/flows',
  '/sources',
  '/flow-delete-requests',
  '/auth',
  '/search',
  '/exr',
  '/media',
];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  // Preact's automatic JSX runtime (no React, no compat layer).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every browser that runs ES2022 modules preloads modules natively.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // hls.js's full build (about 580 kB), a chunk that multi Flow pages alone load.
    chunkSizeWarningLimit: 600,
    // Rolldown's report of slow plugins would name precompress (brotli at its best quality, most
    // of a build by design) on every build.
    rolldownOptions: {
      checks: { bundlerTimings: false },
      // What the entry loads statically stays in one chunk: left to itself, Rolldown moved the
      // modules that lazy chunks share with the entry (Preact, the router, the API client) to a
      // chunk of their own, a second request on every first load and 0.5 KiB more.
      output: { codeSplitting: { groups: [{ name: 'app', tags: ['$initial'] }] } },
    },
  },
  plugins: [precompress()],
  server: {
    proxy: Object.fromEntries(API.map((path) => [path, 'http://localhost:8000'])),
  },
});
