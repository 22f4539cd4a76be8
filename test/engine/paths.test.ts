import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataDir, defaultDataDir } from '../../src-main/engine/paths.js';

test('WARDEN_DATA_DIR wins over the platform folder', () => {
  assert.equal(dataDir({ WARDEN_DATA_DIR: '/tmp/w' }), '/tmp/w');
});

test('each platform has its own app data folder', () => {
  assert.match(defaultDataDir('darwin', {}), /Library\/Application Support\/Warden$/);
  assert.match(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x' }), /^\/x\/Warden$/);
  assert.match(defaultDataDir('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }), /Warden$/);
});
