// Managed policy through a real engine: real SDK clients over Streamable HTTP, the admin API over real
// HTTP (what the CLI and the UI's web bridge use), and the policy file edited while the engine runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EngineClient } from '../../../src-main/cli/engineClient.js';
import { TokenStore } from '../../../src-main/engine/gateway/tokens.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { WardenError } from '../../../src-main/engine/errors.js';
import { servers, startTestEngine, tempDir, type TestEngine } from '../../helpers/engine.js';

const text = (r: unknown) => ((r as { content?: { type: string; text?: string }[] }).content ?? []).map((c) => c.text ?? '').join(' ');

async function refused(p: Promise<unknown>, code: string): Promise<string> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof WardenError, String(error));
    assert.equal(error.code, code, error.message);
    return error.message;
  }
  assert.fail(`expected ${code}`);
}

describe('managed policy in a running engine', () => {
  let t: TestEngine;
  let api: EngineClient;
  let policyDir: { dir: string; remove(): void };
  let policyPath: string;
  let client: Client;

  /** Writes the managed policy file and waits until the engine's watcher has read it (no explicit reload). */
  async function place(content: unknown, expect: 'active' | 'invalid') {
    const before = JSON.stringify(t.engine.managed.state());
    writeFileSync(policyPath, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    for (let i = 0; i < 400; i++) {
      const now = t.engine.managed.state();
      if (JSON.stringify(now) !== before && now.state === expect) return api.call('policy.managed', {});
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the engine did not see the managed policy become ${expect}`);
  }

  before(async () => {
    policyDir = tempDir('warden-managed-');
    policyPath = join(policyDir.dir, 'managed-policy.json');
    t = await startTestEngine([servers.fixture('faulty.mjs', 'faulty'), servers.fixture('faulty.mjs', 'other')], { managedPolicy: { path: policyPath, pollMs: 50 } });
    api = new EngineClient(t.url, new TokenStore(dataPaths(t.dir)).adminToken());
    client = await t.httpClient('faulty', { clientId: 'cursor' });
    await client.listTools();
  });
  after(async () => {
    await t.stop();
    policyDir.remove();
  });

  test("without a managed policy the person's always-allow lets the call through", async () => {
    assert.equal((await api.call('policy.managed', {})).managed.state, 'none');
    await api.call('rules.add', { server: 'faulty', tool: 'ok', effect: 'allow' });
    const r = await client.callTool({ name: 'ok', arguments: { text: 'hi' } });
    assert.ok(!r.isError, text(r));
    assert.match(text(r), /ok hi/);
  });

  test("a managed deny beats the person's always-allow, and says who set it and why", async () => {
    await place({ version: 1, managedBy: 'Example Corp IT', rules: [{ id: 'no-ok', effect: 'deny', server: 'faulty', tool: 'o?', reason: 'ok is off on company laptops' }] }, 'active');
    const r = await client.callTool({ name: 'ok', arguments: {} });
    assert.equal(r.isError, true);
    assert.match(text(r), /Managed policy rule no-ok \(set by Example Corp IT, locked\) says deny: ok is off on company laptops/);
    assert.match(text(r), /cannot be changed in Warden/);
    const listed = await client.listTools();
    assert.ok(!listed.tools.some((tool) => tool.name === 'ok'), 'a managed deny hides the tool from tools/list');
    const check = await api.call('policy.check', { server: 'faulty', tool: 'ok', learn: false });
    assert.equal(check.ruleId, 'managed:no-ok');
  });

  test('a forbidden server cannot be added (API) or connected, and the refusal names who manages it', async () => {
    await place(
      {
        version: 1,
        managedBy: 'Example Corp IT',
        contact: 'it-help@example.com',
        servers: { other: { forbidden: true, reason: 'not approved by security' } },
        forbid: { commands: ['curl'], packages: ['@modelcontextprotocol/server-memory'] },
      },
      'active',
    );
    const byName = await refused(api.call('servers.add', { ...servers.everything('other2'), name: 'other' } as never), 'locked');
    assert.match(byName, /Server `other` is forbidden by Example Corp IT's managed policy \(servers\.other: not approved by security\)/);
    assert.match(byName, /Contact: it-help@example\.com/);
    assert.match(await refused(api.call('servers.add', { name: 'fetcher', transport: 'stdio', command: '/usr/bin/curl', args: ['-s'] } as never), 'locked'), /command `\/usr\/bin\/curl` matches forbid\.commands "curl"/);
    assert.match(await refused(api.call('servers.add', servers.memory('mem') as never), 'locked'), /package `@modelcontextprotocol\/server-memory`/);
    assert.equal((await api.call('servers.list', {})).some((s) => s.config.name === 'mem' || s.config.name === 'fetcher'), false, 'nothing was added');

    // `other` was configured before the policy arrived: connecting to it is refused by the gateway.
    const token = new TokenStore(dataPaths(t.dir)).clientToken('cursor');
    const res = await fetch(`${t.url}/mcp/other`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    assert.equal(res.status, 403);
    const body = (await res.json()) as { error: { message: string; data: { code: string } } };
    assert.equal(body.error.data.code, 'locked');
    assert.match(body.error.message, /forbidden by Example Corp IT/);
    await assert.rejects(t.httpClient('other'), /forbidden|403/);
    // And through `warden connect` (the stdio bridge over the engine's local socket).
    await assert.rejects(t.stdioClient('other'), /forbidden by Example Corp IT/);
  });

  test('fixed tiers and locked settings cannot be changed through the API; reads show the managed values', async () => {
    await place({ version: 1, servers: { faulty: { tier: 'restricted' } }, settings: { approvalTimeoutSeconds: 30, allowAlwaysAllow: false } }, 'active');
    assert.match(await refused(api.call('policy.setTier', { server: 'faulty', tier: 'trusted' }), 'locked'), /tier of `faulty` is fixed at restricted/);
    await api.call('policy.setTier', { server: 'faulty', tier: 'restricted' }); // the same value is not a change
    assert.match(await refused(api.call('settings.set', { approvalTimeoutSeconds: 120 }), 'locked'), /approvalTimeoutSeconds is fixed at 30/);
    assert.match(await refused(api.call('approvals.settings', { timeoutSeconds: 120 }), 'locked'), /timeoutSeconds is fixed at 30/);
    assert.match(await refused(api.call('rules.add', { server: 'faulty', tool: 'ok', effect: 'allow' }), 'locked'), /"Always allow" is turned off/);
    await api.call('rules.add', { server: 'faulty', tool: 'hang', effect: 'deny' }); // deny rules stay the person's to add
    await api.call('settings.set', { theme: 'dark' }); // unlocked settings still change
    assert.equal((await api.call('settings.get', {})).approvalTimeoutSeconds, 30);
    assert.equal((await api.call('approvals.settings', {})).timeoutSeconds, 30, 'the guardian waits 30 s');
    const faulty = (await api.call('servers.list', {})).find((s) => s.config.name === 'faulty')!;
    assert.equal(faulty.config.tier, 'restricted', 'the tier in force is shown');
    const view = await api.call('policy.managed', {});
    assert.deepEqual(view.settings.approvalTimeoutSeconds, { value: 30, source: 'managed', locked: true });
    assert.deepEqual(view.servers.find((s) => s.name === 'faulty')!.tier, { value: 'restricted', source: 'managed', locked: true });
    const userAllow = view.rules.find((r) => r.source === 'user' && r.effect === 'allow')!;
    assert.match(userAllow.ignored ?? '', /always allow/);
    // The earlier always-allow no longer allows: the restricted tier asks, so the call waits for a person.
    const check = await api.call('policy.check', { server: 'faulty', tool: 'ok', learn: false });
    assert.notEqual(check.ruleId, userAllow.id);
  });

  test("a tier fixed at restricted: the person's always-allow for that server shows as ignored, asks instead, and a new one is refused", async () => {
    await place({ version: 1, managedBy: 'Example Corp IT', servers: { faulty: { tier: 'restricted' } } }, 'active');
    const view = await api.call('policy.managed', {});
    const userAllow = view.rules.find((r) => r.source === 'user' && r.effect === 'allow' && r.server === 'faulty')!;
    assert.ok(userAllow, 'the always-allow from earlier is still there');
    assert.match(userAllow.ignored ?? '', /fixes `faulty` at restricted: every call to it asks a person/);
    const check = await api.call('policy.check', { server: 'faulty', tool: 'ok', learn: false });
    assert.equal(check.effect, 'ask');
    assert.ok(check.reasons.some((r: string) => r.includes(`Your standing rule ${userAllow.id} (always allow) does not apply`)), check.reasons.join('\n'));
    assert.match(await refused(api.call('rules.add', { server: 'faulty', tool: 'hang', effect: 'allow' }), 'locked'), /`faulty` is fixed at restricted/);
    assert.match(await refused(api.call('policy.setOverride', { server: 'faulty', tool: 'hang', effect: 'allow' }), 'locked'), /`faulty` is fixed at restricted/);
  });

  test('a broken managed policy fails closed: every call is denied naming the file and the problem', async () => {
    await place('{ "version": 1, "rules": [ { "effect": "block", "server": "*", "tool": "*" } ] }', 'invalid');
    const r = await client.callTool({ name: 'ok', arguments: {} });
    assert.equal(r.isError, true);
    assert.ok(text(r).includes(policyPath), text(r));
    assert.match(text(r), /rules\[0\]\.effect: "block" is not accepted/);
    assert.match(text(r), /forwards no call/);
    assert.deepEqual((await client.listTools()).tools, [], 'no tool is offered');
    const view = await api.call('policy.managed', {});
    assert.equal(view.managed.state, 'invalid');
    assert.match(await refused(api.call('servers.add', servers.everything('ev') as never), 'locked'), /Adding server `ev` is refused: The managed policy file .* is not valid/);
    assert.match(await refused(api.call('settings.set', { approvalTimeoutSeconds: 50 }), 'locked'), /is not valid/);
    // A fresh client can connect (so it can show the reason), but its calls are denied too.
    const fresh = await t.httpClient('faulty', { clientId: 'claude' });
    const again = await fresh.callTool({ name: 'ok', arguments: {} });
    assert.equal(again.isError, true);
    assert.ok(text(again).includes(policyPath));
  });

  test('removing the file lifts every managed limit', async () => {
    rmSync(policyPath);
    for (let i = 0; i < 200 && t.engine.managed.state().state !== 'none'; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal((await api.call('policy.managed', {})).managed.state, 'none');
    const r = await client.callTool({ name: 'ok', arguments: { text: 'back' } });
    assert.ok(!r.isError, text(r));
    await api.call('settings.set', { approvalTimeoutSeconds: 50 });
  });
});
