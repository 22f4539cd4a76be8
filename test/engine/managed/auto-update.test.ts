// The auto-update decision: managed policy wins over the person's setting; a broken managed file or
// unreadable settings mean no updates (fail closed); a development copy never updates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagedPolicy, type ManagedState } from '../../../shared/managed.js';
import { decideAutoUpdate } from '../../../src-main/engine/managed/auto-update.js';
import { managedFileView } from '../../../src-main/engine/managed/load.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/engine.js';

const none: ManagedState = { state: 'none', path: '/etc/warden/managed-policy.json' };
const active = (managedBy = 'Example Corp IT'): ManagedState => ({ state: 'active', path: '/etc/warden/managed-policy.json', loadedAt: '', managedBy });
const policy = (autoUpdate?: boolean) => ManagedPolicy.parse({ version: 1, managedBy: 'Example Corp IT', settings: autoUpdate === undefined ? {} : { autoUpdate } });

test('managed off beats the person\'s on, and names who turned it off', () => {
  const d = decideAutoUpdate({ packaged: true, managed: active(), policy: policy(false), user: true });
  assert.deepEqual({ enabled: d.enabled, source: d.source }, { enabled: false, source: 'managed' });
  assert.match(d.reason, /turned off by Example Corp IT \(managed policy settings\.autoUpdate\)/);
});

test('managed on beats the person\'s off', () => {
  const d = decideAutoUpdate({ packaged: true, managed: active(), policy: policy(true), user: false });
  assert.deepEqual({ enabled: d.enabled, source: d.source }, { enabled: true, source: 'managed' });
});

test('no managed setting: the person decides; unset means on', () => {
  assert.deepEqual(decideAutoUpdate({ packaged: true, managed: none, policy: undefined, user: false }).enabled, false);
  assert.equal(decideAutoUpdate({ packaged: true, managed: none, policy: undefined, user: false }).source, 'user');
  assert.deepEqual(decideAutoUpdate({ packaged: true, managed: active(), policy: policy(), user: true }).enabled, true);
  const d = decideAutoUpdate({ packaged: true, managed: none, policy: undefined, user: undefined });
  assert.deepEqual({ enabled: d.enabled, source: d.source }, { enabled: true, source: 'default' });
});

test('a broken managed policy file means no updates, with the file and the problem named', () => {
  const dir = tempDir('warden-au-');
  try {
    const path = join(dir.dir, 'managed-policy.json');
    writeFileSync(path, '{ "version": 1, "settings": { "autoUpdate": "no" } }');
    const view = managedFileView(path);
    assert.equal(view.state().state, 'invalid');
    const d = decideAutoUpdate({ packaged: true, managed: view.state(), policy: view.policy(), user: true });
    assert.equal(d.enabled, false);
    assert.ok(d.reason.includes(path), d.reason);
    assert.match(d.reason, /settings\.autoUpdate/);
  } finally {
    dir.remove();
  }
});

test('settings that cannot be read mean no updates; a development copy never updates', () => {
  const d = decideAutoUpdate({ packaged: true, managed: none, policy: undefined, user: new Error('settings.json is not valid: autoUpdate: expected boolean.') });
  assert.equal(d.enabled, false);
  assert.match(d.reason, /until the settings can be read: settings\.json is not valid/);
  const dev = decideAutoUpdate({ packaged: false, managed: none, policy: undefined, user: true });
  assert.deepEqual({ enabled: dev.enabled, source: dev.source }, { enabled: false, source: 'build' });
  assert.equal(decideAutoUpdate({ packaged: false, managed: active(), policy: policy(true), user: true }).enabled, false);
});
