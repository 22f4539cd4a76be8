// The desktop updater follows the auto-update decision at runtime: a real engine, its managed policy
// file and settings changing underneath, and a stand-in for electron-updater's autoUpdater (the real
// one needs Electron). Managed "off" stops checks, cancels a download and keeps a downloaded update
// from installing on quit; a development copy never loads the updater.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DesktopUpdater, type Updater } from '../../src-main/electron/updater.js';
import { startTestEngine, tempDir, type TestEngine } from '../helpers/engine.js';
import { until } from '../helpers/syslog.js';

class StandIn extends EventEmitter {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  logger: Updater['logger'] = null;
  checks = 0;
  cancelled = 0;
  async checkForUpdates() {
    this.checks += 1;
    return { cancellationToken: { cancel: () => (this.cancelled += 1) } } as never;
  }
}

describe('DesktopUpdater', () => {
  let t: TestEngine;
  let dir: { dir: string; remove(): void };
  let policyPath: string;
  before(async () => {
    dir = tempDir('warden-updater-');
    policyPath = join(dir.dir, 'managed-policy.json');
    t = await startTestEngine([], { managedPolicy: { path: policyPath, pollMs: 50 } });
  });
  after(async () => {
    await t.stop();
    dir.remove();
  });

  test('follows managed policy and the person\'s setting at runtime', async () => {
    const standIn = new StandIn();
    let loads = 0;
    const updater = new DesktopUpdater(t.engine, { packaged: true, checkEveryMs: 40, load: async () => (loads++, standIn as unknown as Updater) }).start();
    try {
      await until('a first check', () => standIn.checks >= 1);
      assert.equal(updater.decision?.enabled, true, 'on by default');
      assert.equal(standIn.autoInstallOnAppQuit, true);
      await until('periodic checks', () => standIn.checks >= 3);

      writeFileSync(policyPath, JSON.stringify({ version: 1, managedBy: 'Example Corp IT', settings: { autoUpdate: false } }));
      await until('updates turned off by the policy', () => updater.decision?.enabled === false);
      assert.match(updater.decision!.reason, /turned off by Example Corp IT/);
      assert.equal(standIn.autoDownload, false);
      assert.equal(standIn.autoInstallOnAppQuit, false, 'a downloaded update is not installed on quit');
      assert.ok(standIn.cancelled >= 1, 'a download under way is cancelled');
      const checks = standIn.checks;
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(standIn.checks, checks, 'no more checks');

      writeFileSync(policyPath, '{ "version": 1, "settings": { "autoUpdate": "maybe" } }');
      await until('the broken file to be read', () => t.engine.managed.state().state === 'invalid');
      await until('the decision to name the broken file', () => /is broken/.test(updater.decision?.reason ?? ''));
      assert.equal(updater.decision?.enabled, false, 'a broken managed file: no updates');

      rmSync(policyPath);
      await until('updates back on', () => updater.decision?.enabled === true);
      await until('checks again', () => standIn.checks > checks);
      assert.equal(standIn.autoInstallOnAppQuit, true);

      await t.engine.api('settings.set', { autoUpdate: false });
      await until("the person's off", () => updater.decision?.enabled === false && updater.decision.source === 'user');
      assert.equal(standIn.autoDownload, false);
      await t.engine.api('settings.set', { autoUpdate: true });
      await until("the person's on", () => updater.decision?.enabled === true);
      assert.equal(loads, 1, 'electron-updater is loaded once');
    } finally {
      updater.stop();
      rmSync(policyPath, { force: true });
    }
  });

  test('a development copy never loads the updater', async () => {
    let loads = 0;
    const updater = new DesktopUpdater(t.engine, { packaged: false, load: async () => (loads++, new StandIn() as unknown as Updater) }).start();
    try {
      await until('a decision', () => updater.decision !== undefined);
      assert.deepEqual([updater.decision?.enabled, updater.decision?.source], [false, 'build']);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(loads, 0);
    } finally {
      updater.stop();
    }
  });
});
