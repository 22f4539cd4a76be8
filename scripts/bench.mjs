#!/usr/bin/env node
// `npm run bench`: runs every benchmark script in scripts/bench/ (or those whose name contains an
// argument) one after another. Benchmarks print numbers; they never fail on a target.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('./bench/', import.meta.url));
const filters = process.argv.slice(2);
const scripts = readdirSync(dir).filter((f) => f.endsWith('.mjs')).filter((f) => !filters.length || filters.some((x) => f.includes(x))).sort();
let failed = 0;
for (const script of scripts) {
  console.log(`\n== ${script} ==`);
  const result = spawnSync(process.execPath, [join(dir, script)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
