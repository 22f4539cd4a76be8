#!/usr/bin/env node
// The `warden` command. It runs the compiled CLI so that `warden connect` starts fast.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src-main/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('warden: the CLI is not built yet. Run `npm install` (or `npm run build`) in the Warden folder.\n');
  process.exit(70);
}
await import(entry.href);
