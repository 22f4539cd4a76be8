#!/usr/bin/env node
// The `warden` command. It runs the compiled CLI. `warden connect`, which clients launch for every
// session, runs from its single-file build (scripts/build-connect.mjs) when that is at least as new as
// the modules it was made from (a `tsc` alone leaves it stale): it starts faster.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const file = (path) => fileURLToPath(new URL(path, import.meta.url));
const entry = file('../dist/src-main/cli/main.js');
if (!existsSync(entry)) {
  process.stderr.write('warden: the CLI is not built yet. Run `npm install` (or `npm run build`) in the Warden folder.\n');
  process.exit(70);
}
const [command, ...rest] = process.argv.slice(2);
const bundle = file('../dist/src-main/cli/connect.bundle.js');
const fresh = () => {
  try {
    return statSync(bundle).mtimeMs >= statSync(file('../dist/src-main/cli/commands/connect.js')).mtimeMs;
  } catch {
    return false;
  }
};
if (command === 'connect' && !rest.some((a) => a === '-h' || a === '--help') && fresh()) await import(pathToFileURL(bundle).href);
else await import(pathToFileURL(entry).href);
