// The person's settings in a running engine: the approval timeout has one home (the guardian's
// approval settings), audit forwarding and retention set in Settings apply without a restart, and
// managed policy replaces and locks them. Real engine, real syslog receivers on loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineClient } from '../../../src-main/cli/engineClient.js';
import { TokenStore } from '../../../src-main/engine/gateway/tokens.js';
import { startEngine } from '../../../src-main/engine/engine.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { startTestEngine, tempDir, WARDEN_BIN, type TestEngine } from '../../helpers/engine.js';
import { makeTestPki, tcpReceiver, tlsReceiver, until, type Receiver, type TestPki } from '../../helpers/syslog.js';

async function refused(p: Promise<unknown>, code: string): Promise<string> {
  try {
    await p;
  } catch (error) {
    assert.equal((error as { code?: string }).code, code, (error as Error).message);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('settings in a running engine', () => {
  let t: TestEngine;
  let api: EngineClient;
  let policyDir: { dir: string; remove(): void };
  let policyPath: string;
  let tcp: Receiver;
  let siem: Receiver;

  async function place(content: unknown | undefined) {
    const before = JSON.stringify(t.engine.managed.state());
    if (content === undefined) rmSync(policyPath, { force: true });
    else writeFileSync(policyPath, JSON.stringify(content));
    await until('the engine to read the managed policy', () => JSON.stringify(t.engine.managed.state()) !== before, 10_000);
  }

  before(async () => {
    policyDir = tempDir('warden-settings-');
    policyPath = join(policyDir.dir, 'managed-policy.json');
    tcp = await tcpReceiver();
    siem = await tcpReceiver();
    t = await startTestEngine([], { managedPolicy: { path: policyPath, pollMs: 50 } });
    api = new EngineClient(t.url, new TokenStore(dataPaths(t.dir)).adminToken());
  });
  after(async () => {
    await t.stop();
    await tcp.close();
    await siem.close();
    policyDir.remove();
  });

  test('the approval timeout has one home: set as a setting, it is what the guardian waits, and settings.json does not hold it', async () => {
    const s = await api.call('settings.set', { approvalTimeoutSeconds: 20, elicitApprovals: false });
    assert.equal(s.approvalTimeoutSeconds, 20);
    assert.deepEqual({ ...(await api.call('approvals.settings', {})), progressSeconds: 0 }, { timeoutSeconds: 20, elicitation: false, progressSeconds: 0 });
    await api.call('approvals.settings', { timeoutSeconds: 33, elicitation: true });
    const read = await api.call('settings.get', {});
    assert.deepEqual([read.approvalTimeoutSeconds, read.elicitApprovals], [33, true], 'the Settings view reads the guardian');
    const path = dataPaths(t.dir).settings;
    const file = (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {}) as Record<string, unknown>;
    assert.ok(!('approvalTimeoutSeconds' in file) && !('elicitApprovals' in file), JSON.stringify(file));
  });

  test('a syslog receiver set in settings gets the next records at once; off stops forwarding', async () => {
    await api.call('settings.set', { auditSyslog: [{ host: '127.0.0.1', port: tcp.port, protocol: 'tcp' }] });
    await api.call('settings.set', { theme: 'dark' });
    await until('records at the receiver', () => tcp.messages.some((m) => m.includes('settings.changed')));
    const view = await api.call('policy.managed', {});
    assert.deepEqual(view.audit.syslog, { value: [{ host: '127.0.0.1', port: tcp.port, protocol: 'tcp' }], source: 'user', locked: false });
    await api.call('settings.set', { auditSyslog: [] });
    const count = tcp.messages.length;
    await api.call('settings.set', { theme: 'light' });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(tcp.messages.length, count, 'forwarding is off');
  });

  test("managed audit.syslog replaces the person's receivers at once and locks the setting; removing it gives them back", async () => {
    await api.call('settings.set', { auditSyslog: [{ host: '127.0.0.1', port: tcp.port, protocol: 'tcp' }], auditRetentionDays: 30 });
    await place({ version: 1, managedBy: 'Example Corp IT', audit: { syslog: [{ host: '127.0.0.1', port: siem.port, protocol: 'tcp' }], minRetentionDays: 400 } });
    await until('the managed receiver to get the managed.changed record', () => siem.messages.some((m) => m.includes('managed.changed')));
    const before = tcp.messages.length;
    await api.call('settings.set', { theme: 'dark' });
    await until('the next record at the managed receiver', () => siem.messages.filter((m) => m.includes('settings.changed')).length > 0);
    assert.equal(tcp.messages.length, before, "the person's receiver gets nothing while IT's is in force");

    assert.match(await refused(api.call('settings.set', { auditSyslog: [] }), 'locked'), /Audit forwarding \(auditSyslog\) is set by managed policy .*Example Corp IT/);
    assert.match(await refused(api.call('settings.set', { auditRetentionDays: 90 }), 'locked'), /at least 400 days \(audit\.minRetentionDays\); 90 is shorter/);
    await api.call('settings.set', { auditRetentionDays: 500 });
    await api.call('settings.set', { auditRetentionDays: 0 }); // forever is longer than any minimum
    const s = await api.call('settings.get', {});
    assert.deepEqual(s.auditSyslog, [{ host: '127.0.0.1', port: siem.port, protocol: 'tcp' }], 'reads show the receivers in force');
    const view = await api.call('policy.managed', {});
    assert.equal(view.audit.syslog.source, 'managed');
    assert.equal(view.audit.syslog.locked, true);

    await place(undefined);
    await api.call('settings.set', { theme: 'light' });
    await until("the person's receiver to be back", () => tcp.messages.length > before);
  });

  test('a size limit set in settings reaches the open audit log at once; the managed minimum is its floor; a broken managed file removes nothing', async () => {
    const log = (t.engine.audit as unknown as { log: { configure(o: unknown): void } }).log;
    const seen: unknown[] = [];
    const configure = log.configure.bind(log);
    log.configure = (o) => (seen.push(o), configure(o));
    try {
      await api.call('settings.set', { auditRetentionMaxMB: 200, auditRetentionDays: 120 });
      assert.deepEqual(seen.map((o) => (o as { retentionMaxBytes: number }).retentionMaxBytes), [200 * 1024 * 1024]);
      await place({ version: 1, audit: { minRetentionDays: 90 } });
      assert.equal((seen.at(-1) as { retentionFloorDays: number }).retentionFloorDays, 90);
      // A broken file: its minimum is unknown, so nothing is removed until it is fixed (fail closed).
      writeFileSync(policyPath, '{ "version": 1, "audit": { "minRetentionDays": "long" } }');
      await until('the broken file to be read', () => t.engine.managed.state().state === 'invalid');
      const { syslog: _, ...retention } = seen.at(-1) as Record<string, unknown>;
      assert.deepEqual(retention, { retentionDays: 0, retentionMaxBytes: 0, retentionFloorDays: 0 });
      await place(undefined);
      assert.equal((seen.at(-1) as { retentionDays: number }).retentionDays, 120, 'back to the person\'s retention');
      await api.call('settings.set', { auditRetentionMaxMB: 0 });
    } finally {
      log.configure = configure;
    }
  });

  test('managed autoUpdate locks the setting; without it the person decides', async () => {
    await api.call('settings.set', { autoUpdate: false });
    assert.equal((await api.call('policy.managed', {})).settings.autoUpdate.source, 'user');
    await place({ version: 1, managedBy: 'Example Corp IT', settings: { autoUpdate: false } });
    assert.match(await refused(api.call('settings.set', { autoUpdate: true }), 'locked'), /autoUpdate is fixed at false.*Example Corp IT/);
    assert.deepEqual((await api.call('policy.managed', {})).settings.autoUpdate, { value: false, source: 'managed', locked: true });
    await place({ version: 1, settings: { autoUpdate: true } });
    assert.equal((await api.call('settings.get', {})).autoUpdate, true, 'reads show the managed value');
    await place(undefined);
  });
});

describe('warden settings (CLI)', () => {
  let pki: TestPki;
  let siem: Receiver;
  const run = promisify(execFile);
  const warden = async (env: Record<string, string>, ...args: string[]) => {
    try {
      const r = await run(process.execPath, [WARDEN_BIN, ...args], { env: { ...process.env, ...env } });
      return { code: 0, ...r };
    } catch (error) {
      return error as { code: number; stdout: string; stderr: string };
    }
  };
  before(async () => {
    pki = makeTestPki();
    siem = await tlsReceiver({ cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) });
  });
  after(async () => {
    await siem.close();
    pki.remove();
  });

  test('a TLS receiver set with the CLI before the engine runs gets the engine start over TLS', async () => {
    const data = tempDir('warden-cli-settings-');
    const env = { WARDEN_DATA_DIR: data.dir, WARDEN_MANAGED_POLICY: join(data.dir, 'none.json') };
    try {
      const set = await warden(env, 'settings', 'set', 'auditSyslog', `tls://127.0.0.1:${siem.port}?ca=${pki.caFile}&servername=siem.test`);
      assert.equal(set.code, 0, set.stderr);
      assert.match(set.stdout, new RegExp(`auditSyslog = tls://127\\.0\\.0\\.1:${siem.port} \\(ca .*ca\\.pem\\)\\nWarden is not running: this applies when it starts\\.`));
      const list = await warden(env, 'settings');
      assert.match(list.stdout, /auditRetentionDays\s+365/);
      assert.match(list.stdout, /autoUpdate\s+true/);
      const engine = await startEngine({ dataDir: data.dir, port: 0, warmSpares: false, managedPolicy: { path: env.WARDEN_MANAGED_POLICY } });
      try {
        await until('engine.started over TLS', () => siem.messages.some((m) => m.includes('engine.started')));
      } finally {
        await engine.stop();
      }
    } finally {
      data.remove();
    }
  });

  test('receivers that are not understood are refused with a reason, and nothing changes', async () => {
    const data = tempDir('warden-cli-settings-');
    const env = { WARDEN_DATA_DIR: data.dir, WARDEN_MANAGED_POLICY: join(data.dir, 'none.json') };
    try {
      const bad = await warden(env, 'settings', 'set', 'auditSyslog', 'ftp://siem:21');
      assert.equal(bad.code, 2, 'bad input: usage exit code');
      assert.match(bad.stderr, /the protocol must be udp, tcp or tls, not ftp/);
      const ca = await warden(env, 'settings', 'set', 'auditSyslog', 'udp://siem:514?ca=/x.pem');
      assert.match(ca.stderr, /caFile applies only to protocol "tls", not "udp"/);
      const missing = await warden(env, 'settings', 'set', 'auditSyslog', 'tls://siem:6514?ca=/nonexistent/ca.pem');
      assert.equal(missing.code, 2, 'before, accepted; forwarding then failed at every connection, a warning in the log');
      assert.match(missing.stderr, /the CA file \/nonexistent\/ca\.pem of siem:6514 cannot be read \(ENOENT\)/);
      const relative = await warden(env, 'settings', 'set', 'auditSyslog', 'tls://siem:6514?cert=client.pem&key=/k.pem');
      assert.match(relative.stderr, /the client certificate file of siem:6514 must be an absolute path/);
      const days = await warden(env, 'settings', 'set', 'auditRetentionDays', '-3');
      assert.match(days.stderr, /not a valid value for auditRetentionDays/);
      assert.match((await warden(env, 'settings')).stdout, /auditSyslog\s+off/);
    } finally {
      data.remove();
    }
  });
});
