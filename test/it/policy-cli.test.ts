// IT's view from the command line: `warden policy validate` explains each problem, `warden policy show
// --json` prints the effective policy with each value's source, and the CLI refuses to change what
// managed policy locks (with an engine running, and without one), saying who manages it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EffectivePolicy } from '../../shared/managed.js';
import { ServerStore } from '../../src-main/engine/config/servers.js';
import { startEngine } from '../../src-main/engine/engine.js';
import { dataPaths } from '../../src-main/engine/paths.js';
import { PolicyStore } from '../../src-main/engine/policy/store.js';
import { ROOT, servers, tempDir, WARDEN_BIN } from '../helpers/engine.js';

const FIXTURES = join(ROOT, 'test', 'engine', 'managed', 'fixtures');
const run = promisify(execFile);

async function warden(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [WARDEN_BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('warden policy validate', () => {
  test('a broken file: exit 1 and one line per problem, with file:line, the path and what is accepted', async () => {
    const file = join(FIXTURES, 'broken-several.json');
    const r = await warden({}, 'policy', 'validate', file);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not a valid managed policy \(7 problems\)/);
    assert.ok(r.stderr.includes(`${file}:2: version: 2 is not accepted. Use "version": 1.`), r.stderr);
    assert.ok(r.stderr.includes(`${file}:4: servers.github.tier: "super-trusted" is not accepted.`), r.stderr);
    assert.ok(r.stderr.includes(`${file}:7: rules[0].effect: "block" is not accepted. Use "allow", "ask" or "deny".`), r.stderr);
    assert.match(r.stderr, /servers\.github: unknown key "forbiden"/);
    assert.match(r.stderr, /audit\.syslog\[0\]\.port: 70000 is too big/);
    assert.match(r.stderr, /\[config_invalid\]/);
  });

  test('a valid file: exit 0 and a summary of what it sets', async () => {
    const r = await warden({}, 'policy', 'validate', join(FIXTURES, 'full.json'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /is a valid managed policy \(version 1, managed by Example Corp IT\): 3 servers, 4 rules, 4 locked settings, audit forwarded to tcp:\/\/siem\.example\.com:514, tls:\/\/10\.1\.2\.3:6514/);
  });
});

describe('without an engine', () => {
  let data: ReturnType<typeof tempDir>;
  let env: Record<string, string>;

  before(() => {
    data = tempDir('warden-it-cli-');
    const policy = join(data.dir, 'managed-policy.json');
    copyFileSync(join(FIXTURES, 'full.json'), policy);
    env = { WARDEN_DATA_DIR: join(data.dir, 'data'), WARDEN_MANAGED_POLICY: policy };
    const paths = dataPaths(env.WARDEN_DATA_DIR!);
    const store = new ServerStore(paths, { permit: () => undefined });
    store.add(servers.fixture('faulty.mjs', 'filesystem', [], { tier: 'trusted' }));
    store.add(servers.fixture('faulty.mjs', 'github'));
    const p = new PolicyStore(paths);
    const file = p.load();
    p.save({ ...file, nextRule: 2, rules: [{ id: 'r1', server: 'github', tool: '*', effect: 'allow', when: [], createdAt: new Date().toISOString() }] });
  });
  after(() => data.remove());

  test('`warden policy show --json` prints each value with its source', async () => {
    const r = await warden(env, 'policy', 'show', '--json');
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout) as EffectivePolicy;
    assert.equal(v.managed.state, 'active');
    assert.equal(v.managedBy, 'Example Corp IT');
    assert.deepEqual(v.settings.approvalTimeoutSeconds, { value: 30, source: 'managed', locked: true });
    assert.deepEqual(v.settings.autoUpdate, { value: false, source: 'managed', locked: true });
    const fs = v.servers.find((s) => s.name === 'filesystem')!;
    assert.deepEqual(fs.tier, { value: 'restricted', source: 'managed', locked: true }, 'the managed tier wins over the trusted tier set by the user');
    assert.equal(v.servers.find((s) => s.name === 'shell')!.configured, false);
    assert.match(v.servers.find((s) => s.name === 'shell')!.forbidden!.reason, /arbitrary commands/);
    const user = v.rules.find((r) => r.id === 'r1')!;
    assert.equal(user.source, 'user');
    assert.match(user.ignored!, /always allow/);
    assert.deepEqual(v.rules.filter((r) => r.source === 'managed').map((r) => r.id), ['no-deletes', 'etc-readonly', 'm3', 'm4']);
    assert.deepEqual(v.audit.retentionDays, { value: 400, source: 'managed', minimum: 400 });
    const text = await warden(env, 'policy', 'show');
    assert.match(text.stdout, /approvalTimeoutSeconds = 30 {2}\(managed, locked\)/);
    assert.match(text.stdout, /filesystem: tier restricted \(managed, locked\)/);
  });

  test('adding a forbidden server, changing a fixed tier or a locked setting is refused with code locked', async () => {
    const add = await warden(env, 'servers', 'add', 'shell', '--', 'node', 'shell.js');
    assert.equal(add.code, 1);
    assert.match(add.stderr, /Server `shell` is forbidden by Example Corp IT's managed policy .*\[locked\]/);
    const tier = await warden(env, 'servers', 'tier', 'filesystem', 'trusted');
    assert.equal(tier.code, 1);
    assert.match(tier.stderr, /tier of `filesystem` is fixed at restricted.*managed by Example Corp IT.*Contact: it-help@example\.com.*\[locked\]/);
    const set = await warden(env, 'settings', 'set', 'approvalTimeoutSeconds', '90');
    assert.equal(set.code, 1);
    assert.match(set.stderr, /approvalTimeoutSeconds is fixed at 30.*\[locked\]/);
    const theme = await warden(env, 'settings', 'set', 'theme', 'dark');
    assert.equal(theme.code, 0, theme.stderr);
  });
});

describe('with an engine running', () => {
  test('the CLI goes through the engine, which refuses the same way; `warden status` says when the policy is broken', async () => {
    const data = tempDir('warden-it-cli-engine-');
    const policy = join(data.dir, 'managed-policy.json');
    writeFileSync(policy, JSON.stringify({ version: 1, managedBy: 'Example Corp IT', forbid: { commands: ['curl'] }, settings: { approvalTimeoutSeconds: 30 } }));
    const env = { WARDEN_DATA_DIR: join(data.dir, 'data'), WARDEN_MANAGED_POLICY: policy };
    const engine = await startEngine({ dataDir: env.WARDEN_DATA_DIR, port: 0, managedPolicy: { path: policy, pollMs: 50 } });
    try {
      const add = await warden(env, 'servers', 'add', 'fetch', '--', 'curl', '-s');
      assert.equal(add.code, 1);
      assert.match(add.stderr, /command `curl` matches forbid\.commands "curl".*\[locked\]/);
      const set = await warden(env, 'settings', 'set', 'approvalTimeoutSeconds', '90');
      assert.match(set.stderr, /fixed at 30.*\[locked\]/);
      writeFileSync(policy, '{ "version": 1, "settings": { "approvalTimeoutSeconds": "soon" } }');
      for (let i = 0; i < 200 && engine.managed.state().state !== 'invalid'; i++) await new Promise((r) => setTimeout(r, 25));
      const status = await warden(env, 'status');
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /Managed policy: BROKEN, every call is denied\. The managed policy file .* is not valid: line 1: settings\.approvalTimeoutSeconds: expected number, not "soon"/);
      const json = JSON.parse((await warden(env, 'status', '--json')).stdout) as { managed: { state: string; problems: unknown[] } };
      assert.equal(json.managed.state, 'invalid');
      assert.equal(json.managed.problems.length, 1);
    } finally {
      await engine.stop();
      data.remove();
    }
  });
});

describe("the person's own files in `warden policy show` and `warden policy rules`", () => {
  const temp = tempDir();
  const env = { WARDEN_DATA_DIR: temp.dir, WARDEN_MANAGED_POLICY: join(temp.dir, 'no-managed-policy.json') };
  after(() => temp.remove());

  test('a rule for one client says so, and its note is shown', async () => {
    assert.equal((await warden(env, 'servers', 'add', 'files', '--', 'echo', 'hi')).code, 0);
    const added = await warden(env, 'policy', 'rule', 'add', 'deny', 'files', 'write_file', '--client', 'cursor', '--note', 'Cursor writes through review only');
    assert.equal(added.code, 0, added.stderr);
    const r = await warden(env, 'policy', 'rules');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ID +EFFECT +SERVER +TOOL +WHEN +CLIENT +CONSENT/m);
    assert.match(r.stdout, /^r1 +deny +files +write_file +- +cursor +-/m, 'before, nothing showed it covers one client only');
    assert.match(r.stdout, /^r1: Cursor writes through review only$/m);
    assert.match((await warden(env, 'policy', 'show')).stdout, /r1 {2}deny {2}files\/write_file for client cursor {2}\(user\)/);
  });

  test('a broken policy.json: `policy show` says it cannot be read and exits 1, instead of showing no rules', async () => {
    writeFileSync(join(temp.dir, 'policy.json'), '{"version":1, "rules": [');
    const text = await warden(env, 'policy', 'show');
    assert.equal(text.code, 1, 'the view is not the policy in force');
    assert.match(text.stdout, /CANNOT READ: .*policy\.json.*denies every call/);
    const json = await warden(env, 'policy', 'show', '--json');
    assert.equal(json.code, 1);
    const v = JSON.parse(json.stdout) as EffectivePolicy;
    assert.equal(v.unreadable?.length, 1);
    assert.match(v.unreadable![0]!, /policy\.json/);
  });
});
