// The managed-policy guard in front of the API's handlers: what it refuses (code `locked`, naming who
// manages it), what it lets through untouched, and what reads show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagedPolicy, type ManagedState } from '../../../shared/managed.js';
import { WardenError } from '../../../src-main/engine/errors.js';
import { guardHandlers } from '../../../src-main/engine/managed/guard.js';
import { managedAuditOptions, effectiveRetentionDays } from '../../../src-main/engine/managed/audit.js';

const view = (raw: unknown) => {
  const policy = ManagedPolicy.parse(raw);
  const state: ManagedState = { state: 'active', path: '/etc/warden/managed-policy.json', loadedAt: '', managedBy: policy.managedBy ?? 'your organisation' };
  return { state: () => state, policy: () => policy };
};
const broken = { state: (): ManagedState => ({ state: 'invalid', path: '/p.json', loadedAt: '', problems: [], message: 'The managed policy file /p.json is not valid: x.' }), policy: () => undefined };

function handlers() {
  const calls: string[] = [];
  const h = {
    'approvals.answer': async (i: unknown) => (calls.push(`answer ${JSON.stringify(i)}`), { ok: true }),
    'rules.add': async (i: unknown) => (calls.push(`rule ${JSON.stringify(i)}`), { ok: true }),
    'policy.setOverride': async (i: unknown) => (calls.push(`override ${JSON.stringify(i)}`), { override: null }),
    'settings.get': async () => ({ approvalTimeoutSeconds: 45, theme: 'system' }),
    'settings.set': async (i: unknown) => (calls.push(`set ${JSON.stringify(i)}`), { approvalTimeoutSeconds: 45, theme: 'dark' }),
    'servers.list': async () => [],
  };
  return { h, calls };
}

async function lockedMessage(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof WardenError && e.code === 'locked', String(e));
    return e.message;
  }
  assert.fail('expected locked');
}

test('"always allow" answers and allow rules are refused when IT turns them off; once, session and deny go through', async () => {
  const { h, calls } = handlers();
  const g = guardHandlers(h, view({ version: 1, managedBy: 'Example Corp IT', contact: 'x@example.com', settings: { allowAlwaysAllow: false } }));
  const msg = await lockedMessage(g['approvals.answer']({ id: 'a1', effect: 'allow', scope: 'always' } as never));
  assert.match(msg, /"Always allow" is turned off.*managed by Example Corp IT.*Contact: x@example\.com/);
  await g['approvals.answer']({ id: 'a1', effect: 'allow', scope: 'session' } as never);
  await g['approvals.answer']({ id: 'a2', effect: 'deny', scope: 'always' } as never);
  await lockedMessage(g['rules.add']({ server: 's', tool: 't', effect: 'allow' } as never));
  await g['rules.add']({ server: 's', tool: 't', effect: 'ask' } as never);
  await lockedMessage(g['policy.setOverride']({ server: 's', tool: 't', effect: 'allow' } as never));
  await g['policy.setOverride']({ server: 's', tool: 't', effect: 'deny' } as never);
  assert.equal(calls.length, 4, calls.join('\n'));
  assert.equal(calls.filter((c) => c.includes('"always"') && c.includes('"allow"')).length, 0);
});

test('a server whose tier IT fixes at restricted cannot be always allowed: answers, rules and overrides for it are refused; other servers and session answers go through', async () => {
  const { h, calls } = handlers();
  const withList = { ...h, 'approvals.list': async () => [{ id: 'a1', server: 'fs' }, { id: 'a2', server: 'git' }] };
  const g = guardHandlers(withList, view({ version: 1, managedBy: 'Example Corp IT', servers: { fs: { tier: 'restricted' } } }));
  const msg = await lockedMessage(g['approvals.answer']({ id: 'a1', effect: 'allow', scope: 'always' } as never));
  assert.match(msg, /^`fs` is fixed at restricted \(servers\.fs\.tier\): every call to it asks a person, so it cannot be always allowed\. .*managed by Example Corp IT/);
  await g['approvals.answer']({ id: 'a1', effect: 'allow', scope: 'session' } as never);
  await g['approvals.answer']({ id: 'a2', effect: 'allow', scope: 'always' } as never);
  await lockedMessage(g['rules.add']({ server: 'fs', tool: 'read_file', effect: 'allow' } as never));
  await g['rules.add']({ server: 'fs', tool: 'read_file', effect: 'deny' } as never);
  await lockedMessage(g['policy.setOverride']({ server: 'fs', tool: 'read_file', effect: 'allow' } as never));
  await g['policy.setOverride']({ server: 'git', tool: 'push', effect: 'allow' } as never);
  assert.deepEqual(calls.map((c) => c.split(' ')[0]), ['answer', 'answer', 'rule', 'override']);
});

test('reads show the managed approval timeout; handlers the policy does not touch are the same functions', async () => {
  const { h } = handlers();
  const g = guardHandlers(h, view({ version: 1, settings: { approvalTimeoutSeconds: 20 } }));
  assert.equal((await g['settings.get']()).approvalTimeoutSeconds, 20);
  assert.equal(((await g['settings.set']({ theme: 'dark' } as never)) as { approvalTimeoutSeconds: number }).approvalTimeoutSeconds, 20);
  assert.equal(g['servers.list'], h['servers.list']);
});

test('a broken file refuses changes managed policy could lock, and says which file is broken', async () => {
  const { h } = handlers();
  const g = guardHandlers(h, broken);
  assert.match(await lockedMessage(g['settings.set']({ approvalTimeoutSeconds: 50 } as never)), /is refused: The managed policy file \/p\.json is not valid/);
  await g['settings.set']({ theme: 'dark' } as never); // not something managed policy can lock
});

test('audit options: managed receivers replace the person\'s, retention raised to the minimum (0 = forever stays), capture follows the live policy', () => {
  let policy: ManagedPolicy | undefined = ManagedPolicy.parse({ version: 1, audit: { syslog: [{ host: 'siem', port: 514 }], minRetentionDays: 400 }, settings: { allowPayloadCapture: false } });
  const o = managedAuditOptions({ syslog: [{ host: 'siem', port: 514, protocol: 'tcp' }], retentionDays: 30, capturePayloads: () => true }, () => policy);
  assert.equal(o.syslog!.length, 1, 'the same receiver is not added twice');
  assert.equal(o.retentionDays, 400);
  assert.equal(o.capturePayloads!('fs'), false);
  policy = undefined;
  assert.equal(o.capturePayloads!('fs'), true, 'capture is asked again per call');
  assert.equal(effectiveRetentionDays(0, ManagedPolicy.parse({ version: 1, audit: { minRetentionDays: 90 } })), 0);
  assert.equal(effectiveRetentionDays(undefined, ManagedPolicy.parse({ version: 1, audit: { minRetentionDays: 90 } })), 365);
  const added = managedAuditOptions({}, () => ManagedPolicy.parse({ version: 1, audit: { syslog: [{ host: 'h', port: 1, protocol: 'udp' }] } }));
  assert.deepEqual(added.syslog, [{ host: 'h', port: 1, protocol: 'udp', facility: 13, appName: 'warden' }]);
});

test('audit options: while the managed file is broken no payloads are captured, whatever the person set', () => {
  let state = { state: 'valid' } as unknown as ManagedState;
  const o = managedAuditOptions({ capturePayloads: () => true }, () => undefined, () => undefined, () => state);
  assert.equal(o.capturePayloads!('files'), true);
  state = { state: 'invalid', path: '/etc/warden/managed-policy.json', problems: [], message: 'broken' } as unknown as ManagedState;
  assert.equal(o.capturePayloads!('files'), false);
});
