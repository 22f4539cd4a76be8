// What managed policy locks about each server, as the API's server views carry it (what the Servers &
// tools screen draws its locks from): a fixed tier, a forbidden server with the reason, capture off,
// who manages the machine; through a real engine and its admin API over HTTP, the file placed while
// the engine runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerView } from '../../../shared/api/servers.js';
import { EngineClient } from '../../../src-main/cli/engineClient.js';
import { TokenStore } from '../../../src-main/engine/gateway/tokens.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { WardenError } from '../../../src-main/engine/errors.js';
import { servers, startTestEngine, tempDir, type TestEngine } from '../../helpers/engine.js';

type Seen = Pick<ServerView, 'managed'> & { config: { name: string; tier?: string } };

describe('server views under managed policy', () => {
  let t: TestEngine;
  let api: EngineClient;
  let policyDir: { dir: string; remove(): void };
  let policyPath: string;

  /** Writes the managed policy file and waits until the engine's watcher has read it; returns the servers.changed payload it sent. */
  async function place(content: unknown, expect: 'active' | 'invalid' | 'none'): Promise<Seen[]> {
    let seen: Seen[] | undefined;
    const off = t.engine.on('servers.changed', (p) => (seen = p.servers));
    const before = JSON.stringify(t.engine.managed.state());
    writeFileSync(policyPath, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    try {
      for (let i = 0; i < 400; i++) {
        const now = t.engine.managed.state();
        if (JSON.stringify(now) !== before && now.state === expect && seen) return seen;
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      off();
    }
    throw new Error(`the engine did not see the managed policy become ${expect}`);
  }
  const byName = <T extends Seen>(list: T[]) => Object.fromEntries(list.map((s) => [s.config.name, s]));

  before(async () => {
    policyDir = tempDir('warden-managed-view-');
    policyPath = join(policyDir.dir, 'managed-policy.json');
    t = await startTestEngine(
      [
        servers.fixture('faulty.mjs', 'fixed'),
        servers.fixture('faulty.mjs', 'evil'),
        servers.fixture('faulty.mjs', 'free'),
        { name: 'curlish', transport: 'stdio', command: '/usr/bin/curl', args: ['https://example.com'] },
      ],
      { managedPolicy: { path: policyPath, pollMs: 50 } },
    );
    api = new EngineClient(t.url, new TokenStore(dataPaths(t.dir)).adminToken());
  });
  after(async () => {
    await t.stop();
    policyDir.remove();
  });

  test('without a managed policy no server carries locks', async () => {
    const list = await api.call('servers.list', {});
    assert.equal(list.length, 4);
    for (const s of list) assert.equal(s.managed, undefined, s.config.name);
  });

  test('a fixed tier and a forbidden server (by name and by command) are in the views, with who manages them', async () => {
    const changed = await place(
      {
        version: 1,
        managedBy: 'Example Corp IT',
        contact: 'it-help@example.com',
        servers: { fixed: { tier: 'restricted' }, evil: { forbidden: true, reason: 'exfiltrates files' } },
        forbid: { commands: ['curl'] },
      },
      'active',
    );
    // The event the UI listens to carries the locks at once.
    assert.deepEqual(byName(changed).fixed!.managed, { managedBy: 'Example Corp IT', contact: 'it-help@example.com', tier: 'restricted' });
    const list = byName(await api.call('servers.list', {}));
    assert.equal(list.fixed!.config.tier, 'restricted', 'the tier in force is the managed one');
    assert.deepEqual(list.fixed!.managed, { managedBy: 'Example Corp IT', contact: 'it-help@example.com', tier: 'restricted' });
    assert.equal(list.evil!.managed?.managedBy, 'Example Corp IT');
    assert.match(list.evil!.managed?.forbidden ?? '', /Server `evil` is forbidden by Example Corp IT's managed policy \(servers\.evil: exfiltrates files\)/);
    assert.equal(list.evil!.managed?.tier, undefined);
    assert.match(list.curlish!.managed?.forbidden ?? '', /its command `\/usr\/bin\/curl` matches forbid\.commands "curl"/);
    assert.equal(list.free!.managed, undefined, 'a server the policy says nothing about has no locks');
    // engine.status carries the same views.
    assert.deepEqual(byName((await api.call('engine.status', {})).servers).fixed!.managed, list.fixed!.managed);

    // What the lock shows is what the engine enforces: the fixed tier cannot be changed...
    await assert.rejects(api.call('policy.setTier', { server: 'fixed', tier: 'trusted' }), (e: unknown) => {
      assert.ok(e instanceof WardenError);
      assert.equal(e.code, 'locked');
      assert.match(e.message, /fixed at restricted.*Example Corp IT.*it-help@example\.com/s);
      return true;
    });
    // ...while an unlocked server's can.
    await api.call('policy.setTier', { server: 'free', tier: 'trusted' });
    assert.equal(byName(await api.call('servers.list', {})).free!.config.tier, 'trusted');
  });

  test('an allow-list blocks the servers not on it, and capture off is shown on every server', async () => {
    await place(
      { version: 1, managedBy: 'Example Corp IT', servers: { fixed: { tier: 'standard' }, free: {} }, onlyListedServers: true, settings: { allowPayloadCapture: false } },
      'active',
    );
    const list = byName(await api.call('servers.list', {}));
    assert.deepEqual(list.free!.managed, { managedBy: 'Example Corp IT', captureOff: true });
    assert.deepEqual(list.fixed!.managed, { managedBy: 'Example Corp IT', tier: 'standard', captureOff: true });
    assert.match(list.evil!.managed?.forbidden ?? '', /only the servers listed there may be used: fixed, free/);
    // The view servers.setCapture answers with carries the locks too.
    const off = await api.call('servers.setCapture', { name: 'free', capturePayloads: false });
    assert.equal(off.managed?.captureOff, true);
    await assert.rejects(api.call('servers.setCapture', { name: 'free', capturePayloads: true }), /payload capture off/);
  });

  test('a broken file locks every server and says so', async () => {
    await place('{"version": 1, "servers": {"fixed": {"tier": "bogus"}}}', 'invalid');
    const list = byName(await api.call('servers.list', {}));
    for (const name of ['fixed', 'evil', 'free', 'curlish']) {
      const m = list[name]!.managed;
      assert.ok(m, name);
      assert.equal(m.tier, list[name]!.config.tier, 'the tier in force is locked');
      assert.match(m.broken ?? '', /managed-policy\.json/);
      assert.match(m.forbidden ?? '', /broken/);
    }
    await assert.rejects(api.call('policy.setTier', { server: 'free', tier: 'standard' }), /refused/);
  });
});
