// Vite build of the portal. Output in dist/ (served by `medai serve`):
// index.html plus content-hashed files under assets/ (cached as immutable).
// No inline scripts or styles anywhere, so the server's strict CSP holds.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Vite inlines small assets as data: URLs; keep every asset a file
    // (CSP: no inline styles, WebAssembly loaded from 'self').
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
  optimizeDeps: {
    exclude: ['@cornerstonejs/dicom-image-loader'],
    include: ['dicom-parser'],
  },
  server: {
    // `npm run dev` against a running `medai serve` on the default port.
    proxy: {
      '/api': 'http://127.0.0.1:8142',
      '/dicom-web': 'http://127.0.0.1:8142',
    },
  },
});
