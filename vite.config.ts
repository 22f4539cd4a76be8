// Builds the renderer (src-renderer) into dist/renderer. Relative asset paths, so the same build works
// under the web bridge's /ui/ and from the desktop app's file:// window.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // The CSP has no 'unsafe-inline': no inline module-preload polyfill.
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  server: { host: '127.0.0.1' },
});
