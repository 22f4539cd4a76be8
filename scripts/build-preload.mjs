#!/usr/bin/env node
// Bundles the Electron preload to CommonJS (a sandboxed preload cannot load ES modules or other files):
// src-main/electron/preload.ts -> dist/src-main/electron/preload.cjs.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../src-main/electron/preload.ts', import.meta.url).pathname],
  outfile: new URL('../dist/src-main/electron/preload.cjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
});
