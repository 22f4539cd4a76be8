#!/usr/bin/env node
// `npm run bench`: runs the benchmarks one after another (or those whose name contains an argument).
// Benchmarks print numbers; they never fail on a target. The other files in scripts/bench/ are their
// helpers (the bare proxy, the echo server, the wrk load, a line reader), never run on their own here:
// the bare proxy and the echo server would wait for input for good.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('./bench/', import.meta.url));
/** Run by `npm run bench`. */
const BENCHMARKS = ['gateway.mjs', 'decide.mjs', 'audit.mjs', 'ui.mjs'];
/** Run only when named (`npm run bench -- throughput`): the wrk load alone, for work on the call path. */
const ON_REQUEST = ['throughput.mjs'];

const filters = process.argv.slice(2);
const scripts = filters.length ? [...BENCHMARKS, ...ON_REQUEST].filter((f) => filters.some((x) => f.includes(x))) : BENCHMARKS;
if (!scripts.length) {
  console.error(`No benchmark matches ${filters.join(', ')}. Benchmarks: ${[...BENCHMARKS, ...ON_REQUEST].map((f) => f.replace('.mjs', '')).join(', ')}.`);
  process.exit(2);
}
let failed = 0;
for (const script of scripts) {
  console.log(`\n== ${script} ==`);
  const result = spawnSync(process.execPath, [join(dir, script)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
