#!/usr/bin/env node
// Bundles `warden connect` (the stdio bridge clients launch for every session) into one file beside
// the CLI: dist/src-main/cli/connect.bundle.js. One file loads ~10 ms faster than its modules one by
// one, a good part of what Warden adds to a client's launch. Built from tsc's output (run after it),
// into the same folder, so paths taken from import.meta.url (main.js, to start an engine) still hold.
// npm packages stay imports; a module loaded only on first use (issuing a token) becomes its own chunk.
// bin/warden.js uses the bundle when it exists and falls back to the modules otherwise.
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const cli = new URL('../dist/src-main/cli/', import.meta.url).pathname;
for (const name of readdirSync(cli)) if (name.startsWith('connect.bundle')) rmSync(cli + name);

await build({
  stdin: {
    contents: "import { connectFromArgv } from './commands/connect.js';\nawait connectFromArgv(process.argv.slice(3));\n",
    resolveDir: cli,
    sourcefile: 'connect-entry.js',
  },
  outdir: cli,
  entryNames: 'connect.bundle',
  chunkNames: 'connect.bundle-[hash]',
  bundle: true,
  splitting: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
