// A server's stderr may hold what it was given (this one names the argument of each call): it is kept
// for the UI and in logs/servers.log, never in the engine's own log, which holds no argument values.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';

describe("a server's stderr", () => {
  let t: TestEngine;
  before(async () => {
    t = await startTestEngine([servers.fixture('stubborn.mjs', 'stubborn')], { decisions: allowAll });
  });
  after(() => t.stop());

  test('is kept for the UI and in logs/servers.log, and stays out of logs/engine.log', async () => {
    const client = await t.httpClient('stubborn');
    await client.callTool({ name: 'erase', arguments: { what: 'hunter2-the-password' } });
    const logs = join(t.dir, 'logs');
    for (let i = 0; i < 100 && !t.engine.runtime('stubborn').stderr.lines().some((l) => l.includes('hunter2')); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(t.engine.runtime('stubborn').stderr.lines().some((l) => l.includes('erase ran for hunter2-the-password')), 'in the tail the UI shows');
    const serversLog = readFileSync(join(logs, 'servers.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; server: string; line: string });
    assert.ok(serversLog.some((e) => e.event === 'server.stderr' && e.server === 'stubborn' && e.line.includes('hunter2-the-password')));
    assert.doesNotMatch(readFileSync(join(logs, 'engine.log'), 'utf8'), /hunter2/);
    assert.equal(statSync(logs).mode & 0o777, 0o700, 'the logs folder is the user\'s only');
    assert.equal(statSync(join(logs, 'servers.log')).mode & 0o777, 0o600);
  });
});
