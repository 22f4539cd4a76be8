// Each problem in a managed policy file is explained with where it is (JSON path and line) and what
// would be accepted; a file that cannot be read is broken, never absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManagedPolicy } from '../../../src-main/engine/managed/explain.js';
import { decisionPolicy, loadManagedPolicy } from '../../../src-main/engine/managed/load.js';
import { managedPolicyPath, systemManagedPolicyPath } from '../../../src-main/engine/managed/locate.js';
import { ROOT } from '../../helpers/engine.js';

const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'engine', 'managed', 'fixtures', name), 'utf8');

test('the file lives at a system path per OS; WARDEN_MANAGED_POLICY overrides it', () => {
  assert.equal(systemManagedPolicyPath('linux', {}), '/etc/warden/managed-policy.json');
  assert.equal(systemManagedPolicyPath('darwin', {}), '/Library/Application Support/Warden/managed-policy.json');
  assert.equal(systemManagedPolicyPath('win32', { ProgramData: 'D:\\ProgramData' }), 'D:\\ProgramData\\Warden\\managed-policy.json');
  assert.equal(systemManagedPolicyPath('win32', {}), 'C:\\ProgramData\\Warden\\managed-policy.json');
  assert.equal(managedPolicyPath({ WARDEN_MANAGED_POLICY: '/tmp/p.json' }, 'linux'), '/tmp/p.json');
  assert.equal(managedPolicyPath({ WARDEN_MANAGED_POLICY: '  ' }, 'linux'), '/etc/warden/managed-policy.json');
});

test('every problem of a file with several is listed, with its path, line and what is accepted', () => {
  const r = parseManagedPolicy(fixture('broken-several.json'));
  assert.equal(r.ok, false);
  if (r.ok) return;
  const by = (path: string) => r.problems.find((p) => p.path === path);
  assert.match(by('version')!.message, /2 is not accepted\. Use "version": 1\./);
  assert.equal(by('version')!.line, 2);
  assert.match(by('servers.github.tier')!.message, /"super-trusted" is not accepted.*Use "trusted", "standard", "restricted" or "blocked"/);
  assert.equal(by('servers.github.tier')!.line, 4);
  assert.match(by('servers.github')!.message, /unknown key "forbiden" \(a typo\?/);
  assert.equal(by('servers.github')!.line, 4, "the unknown key's own line, not its object's");
  assert.match(by('rules[0].effect')!.message, /"block" is not accepted.*Use "allow", "ask" or "deny"/);
  assert.equal(by('rules[0].effect')!.line, 7);
  assert.match(by('rules[0].tool')!.message, /is required/);
  assert.match(by('settings.approvalTimeoutSeconds')!.message, /2 is too small: the minimum is 5/);
  assert.match(by('audit.syslog[0].port')!.message, /70000 is too big: the maximum is 65535/);
  assert.equal(r.problems.length, 7, JSON.stringify(r.problems, null, 1));
});

test('an unknown key is placed on its own line, and a syntax error says what is wrong once', () => {
  const r = parseManagedPolicy('{\n  "version": 1,\n  "bogus": true\n}\n');
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.problems[0]!.line, 3, 'before, line 1: the object the key is in');
  const broken = parseManagedPolicy('{\n  "version": 1,\n}');
  assert.equal(broken.ok, false);
  if (broken.ok) return;
  assert.deepEqual(broken.problems[0], { path: '', line: 3, message: 'not valid JSON: a key in double quotes is expected (a trailing comma?).' });
});

test('TLS options on a receiver that is not TLS, or a client certificate without its key, are explained', () => {
  const r = parseManagedPolicy(
    JSON.stringify({ version: 1, audit: { syslog: [{ host: 'siem', port: 514, protocol: 'udp', caFile: '/x.pem' }, { host: 'siem', port: 6514, protocol: 'tls', certFile: '/c.pem' }] } }, null, 2),
  );
  assert.ok(!r.ok);
  if (r.ok) return;
  assert.deepEqual(
    r.problems.map((p) => [p.path, p.message]),
    [
      ['audit.syslog[0].caFile', 'caFile applies only to protocol "tls", not "udp".'],
      ['audit.syslog[1].keyFile', 'certFile and keyFile go together (a client certificate and its key).'],
    ],
  );
});

test('JSON syntax errors give the line; empty files and non-objects are explained', () => {
  const r = parseManagedPolicy(fixture('broken-json.json'));
  assert.ok(!r.ok && r.problems.some((p) => p.line === 5 && /not valid JSON/.test(p.message)), JSON.stringify(r));
  const empty = parseManagedPolicy('');
  assert.ok(!empty.ok && /empty/.test(empty.problems[0]!.message));
  const list = parseManagedPolicy('[1]');
  assert.ok(!list.ok && /must hold a JSON object/.test(list.problems[0]!.message));
});

test('checks a schema cannot make: duplicate rule ids, an allow-list that allows nothing', () => {
  const dup = parseManagedPolicy(JSON.stringify({ version: 1, rules: [{ id: 'a', effect: 'deny', server: '*', tool: 'x' }, { id: 'a', effect: 'deny', server: '*', tool: 'y' }] }));
  assert.ok(!dup.ok && /already used by rules\[0\]/.test(dup.problems[0]!.message));
  const none = parseManagedPolicy(JSON.stringify({ version: 1, onlyListedServers: true }));
  assert.ok(!none.ok && /no server could be used/.test(none.problems[0]!.message));
});

test('absent file: no managed policy; unreadable or broken file: a deny-everything rule naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-managed-'));
  try {
    const path = join(dir, 'managed-policy.json');
    assert.equal(loadManagedPolicy(path).state.state, 'none');
    assert.equal(decisionPolicy(loadManagedPolicy(path)), undefined);
    writeFileSync(path, '\uFEFF' + fixture('issue-shape.json'));
    assert.equal(loadManagedPolicy(path).state.state, 'active', 'a byte-order mark (Notepad) is fine');
    writeFileSync(path, fixture('broken-several.json'));
    const broken = loadManagedPolicy(path);
    assert.equal(broken.state.state, 'invalid');
    const rule = decisionPolicy(broken)!.rules[0]!;
    assert.deepEqual([rule.effect, rule.server, rule.tool], ['deny', '*', '*']);
    assert.ok(rule.reason!.includes(path));
    if (process.getuid?.() !== 0) {
      chmodSync(path, 0o000);
      const unreadable = loadManagedPolicy(path);
      assert.equal(unreadable.state.state, 'invalid');
      assert.match(unreadable.state.state === 'invalid' ? unreadable.state.message : '', /cannot be read \(EACCES\)/);
      chmodSync(path, 0o600);
    }
    assert.equal(loadManagedPolicy(dir).state.state, 'invalid', 'a directory in its place is broken, not absent');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
