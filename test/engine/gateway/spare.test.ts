// A warm spare: after a stdio server is used once, Warden keeps one started process ready, so the next
// session (a client launching `warden connect`) does not wait for the server to boot.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';

const pidOf = (result: unknown) => Number(/pid=(\d+)/.exec(JSON.stringify(result))![1]);

async function spareReady(t: TestEngine, name: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const pid = t.engine.runtime(name).sparePid;
    if (pid) return pid;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no spare was started');
}

describe('warm spare processes', () => {
  let t: TestEngine;
  before(async () => {
    t = await startTestEngine([servers.fixture('faulty.mjs', 'faulty')], { decisions: allowAll, warmSpares: true });
  });
  after(() => t.stop());

  test('the next session gets the process that was started in advance, and another is warmed', async () => {
    const first = await t.httpClient('faulty');
    const firstPid = pidOf(await first.callTool({ name: 'ok', arguments: {} }));
    const spare = await spareReady(t, 'faulty');
    assert.notEqual(spare, firstPid);
    const second = await t.httpClient('faulty');
    assert.equal(pidOf(await second.callTool({ name: 'ok', arguments: {} })), spare, 'the second session runs on the spare');
    const next = await spareReady(t, 'faulty');
    assert.notEqual(next, spare, 'a new spare is warmed');
  });

  test('a spare is pinged before a session uses it (warming it); the session then initializes it and works', async () => {
    await t.httpClient('faulty');
    const spare = await spareReady(t, 'faulty');
    const seen = () => t.engine.runtime('faulty').stderr.lines().filter((l) => l.includes(`faulty pid=${spare}:`)).map((l) => l.split(': ').pop());
    for (let i = 0; i < 100 && !seen().includes('ping'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen(), ['ping'], 'pinged while it waited, nothing else');
    const client = await t.httpClient('faulty');
    assert.equal(pidOf(await client.callTool({ name: 'ok', arguments: {} })), spare);
    const after = seen();
    assert.deepEqual(after.slice(0, 2), ['ping', 'initialize'], 'then the session initializes it');
    assert.ok(after.includes('tools/call'), 'and its call ran there');
  });

  test('a spare started with an older configuration is not used', async () => {
    await t.httpClient('faulty');
    const spare = await spareReady(t, 'faulty');
    t.engine.servers.update('faulty', { env: { CHANGED: '1' } });
    const client = await t.httpClient('faulty');
    assert.notEqual(pidOf(await client.callTool({ name: 'ok', arguments: {} })), spare);
  });

  test('removing the server stops its spare', async () => {
    await t.httpClient('faulty');
    const spare = await spareReady(t, 'faulty');
    await t.engine.api('servers.remove', { name: 'faulty' });
    assert.equal(t.engine.runtime('faulty').sparePid, null);
    const gone = () => {
      try {
        process.kill(spare, 0);
        return false;
      } catch {
        return true;
      }
    };
    for (let i = 0; i < 100 && !gone(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(gone(), 'the spare process is gone');
  });
});
