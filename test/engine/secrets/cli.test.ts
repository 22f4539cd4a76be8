// `warden secrets ...` and the "no keychain" path, through the real bin/warden.js in child processes.
// The first test needs a Secret Service in the D-Bus session (the test run starts one) and fails with
// the reason when there is none; the others take the keychain away on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OsKeychain } from '../../../src-main/engine/secrets/keychain.js';

const BIN = new URL('../../../bin/warden.js', import.meta.url).pathname;
const FIXTURES = new URL('../../fixtures/clients/', import.meta.url).pathname;
const NO_BUS = 'unix:path=/nonexistent/warden-test-bus';

function sandbox(extraEnv: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'warden-secrets-cli-'));
  const env = { ...process.env, WARDEN_DATA_DIR: join(dir, 'data'), ...extraEnv };
  const warden = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, ...args], { env, input, encoding: 'utf8', timeout: 30_000 });
  return { dir, env, warden, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    const st = statSync(p);
    return st.isDirectory() ? allFiles(p) : st.isFile() ? [p] : [];
  });
}

test('secrets set reads stdin, list and delete never print the value', async () => {
  const s = sandbox();
  const value = 'hunter2-do-not-print-7f3a';
  try {
    const status = await OsKeychain.forDataDir(s.env.WARDEN_DATA_DIR!).status();
    assert.ok(status.available, `This test needs the OS keychain (a Secret Service in the D-Bus session). ${status.available ? '' : status.reason}`);
    const set = s.warden(['secrets', 'set', 'github/GITHUB_TOKEN'], value + '\n');
    assert.equal(set.status, 0, set.stderr);
    assert.equal(await OsKeychain.forDataDir(s.env.WARDEN_DATA_DIR!).get('github/GITHUB_TOKEN'), value, 'stored without the newline');
    const list = s.warden(['secrets', 'list']);
    const json = s.warden(['secrets', 'list', '--json']);
    assert.match(list.stdout, /^github\/GITHUB_TOKEN\s+yes\s+-$/m);
    assert.deepEqual(JSON.parse(json.stdout).secrets, [{ account: 'github/GITHUB_TOKEN', stored: true, usedBy: [] }]);
    const del = s.warden(['secrets', 'delete', 'github/GITHUB_TOKEN']);
    assert.equal(del.status, 0, del.stderr);
    for (const r of [set, list, json, del]) assert.ok(!(r.stdout + r.stderr).includes(value), 'no output holds the value');
    const again = s.warden(['secrets', 'delete', 'github/GITHUB_TOKEN']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /There is no secret `github\/GITHUB_TOKEN`.*\[secret_missing\]/);
  } finally {
    s.cleanup();
  }
});

test('with no Secret Service, secrets set says so and stores nothing anywhere', () => {
  const s = sandbox({ DBUS_SESSION_BUS_ADDRESS: NO_BUS });
  try {
    const r = s.warden(['secrets', 'set', 'github/GITHUB_TOKEN'], 'value-that-must-go-nowhere');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /The OS keychain is not available \(.*\)\. Secrets were left where they were and written nowhere else\..*\[keychain_unavailable\]/);
  } finally {
    s.cleanup();
  }
});

test('with no Secret Service, protect leaves secret-bearing servers where they were and writes the secret nowhere', () => {
  const s = sandbox({ DBUS_SESSION_BUS_ADDRESS: NO_BUS });
  try {
    const file = join(s.dir, 'client', 'claude_desktop_config.json');
    mkdirSync(join(s.dir, 'client'));
    cpSync(join(FIXTURES, 'claude-desktop', 'claude_desktop_config.json'), file);
    const original = readFileSync(file);
    const r = s.warden(['clients', 'protect', 'claude-desktop', '--config', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /left as it is: github: The OS keychain is not available/);
    assert.match(r.stdout, /through Warden: filesystem$/m);
    const secret = 'ghp_FixtureFakeToken000000000000000000000';
    const now = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(now.mcpServers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN, secret, 'the secret stays in the client file, where it was');
    for (const f of allFiles(s.env.WARDEN_DATA_DIR!)) assert.ok(!readFileSync(f, 'utf8').includes(secret), `${f} must not hold the secret`);
    const servers = JSON.parse(s.warden(['servers', 'list', '--json']).stdout);
    assert.deepEqual(servers.map((v: any) => v.config.name), ['filesystem']);

    const undo = s.warden(['clients', 'unprotect', 'claude-desktop', '--config', file]);
    assert.equal(undo.status, 0, undo.stderr);
    assert.ok(readFileSync(file).equals(original), 'byte for byte, without a keychain too');
  } finally {
    s.cleanup();
  }
});
