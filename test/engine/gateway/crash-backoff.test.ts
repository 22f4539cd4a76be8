// The restart backoff counts crashes in a row: several sessions' processes dying at the same moment
// are one event (one client's kill must not lock every other client out for 30 s), while a restarted
// process that crashes again always counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerRuntime } from '../../../src-main/engine/gateway/runtime.js';

const logger = { warn() {}, error() {}, info() {}, log() {} } as never;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('eight processes crashing together count once: the next start waits the first backoff, not 30 s', async () => {
  const runtime = new ServerRuntime('s', logger);
  for (let i = 0; i < 8; i++) runtime.crashed('killed');
  const started = Date.now();
  await runtime.beforeRestart();
  assert.ok(Date.now() - started < 1000, `waited ${Date.now() - started} ms`);
});

test('crashes a restart apart count in a row, and the backoff grows until it refuses', async () => {
  const runtime = new ServerRuntime('s', logger);
  for (let i = 0; i < 6; i++) {
    runtime.crashed('exit 1');
    await sleep(260); // past the first backoff: each one is a new crash
  }
  runtime.crashed('exit 1');
  await assert.rejects(runtime.beforeRestart(), /crashed 7 times in a row; Warden will try again in \d+ s/);
});
