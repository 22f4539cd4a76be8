import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { findCheckoutRoot, resolveLauncher } from '../../../src-main/engine/clients/launcher.js';

test('from a source checkout: the absolute node binary runs bin/warden.js (no npx, no PATH lookup)', () => {
  const l = resolveLauncher({ platform: 'linux', execPath: '/usr/bin/node', env: {}, checkoutRoot: '/src/warden' });
  assert.deepEqual([l.command, ...l.args], ['/usr/bin/node', '/src/warden/bin/warden.js', 'connect']);
  assert.equal(l.env, undefined);
});

test('the installed app runs its own executable with --connect (the RunAsNode fuse is off)', () => {
  const mac = resolveLauncher({ platform: 'darwin', execPath: '/Applications/Warden.app/Contents/MacOS/Warden', electron: '45.0.0', defaultApp: false, env: {} });
  assert.deepEqual([mac.command, ...mac.args], ['/Applications/Warden.app/Contents/MacOS/Warden', '--connect']);
  const win = resolveLauncher({ platform: 'win32', execPath: 'C:\\Users\\ann\\AppData\\Local\\Programs\\Warden\\Warden.exe', electron: '45.0.0', env: {} });
  assert.deepEqual([win.command, ...win.args], ['C:\\Users\\ann\\AppData\\Local\\Programs\\Warden\\Warden.exe', '--connect']);
  assert.equal(win.env, undefined, 'no ELECTRON_RUN_AS_NODE: the fuse ignores it');
});

test('an AppImage is launched through its file, not through its temporary mount', () => {
  const l = resolveLauncher({ platform: 'linux', execPath: '/tmp/.mount_WardenX1/warden', electron: '45.0.0', env: { APPIMAGE: '/home/ann/Apps/Warden.AppImage' } });
  assert.deepEqual([l.command, ...l.args], ['/home/ann/Apps/Warden.AppImage', '--connect']);
});

test('unpackaged Electron (electron .) runs bin/warden.js as Node', () => {
  const l = resolveLauncher({ platform: 'linux', execPath: '/src/node_modules/electron/dist/electron', electron: '45.0.0', defaultApp: true, env: {}, checkoutRoot: '/src' });
  assert.deepEqual([l.command, ...l.args], ['/src/node_modules/electron/dist/electron', '/src/bin/warden.js', 'connect']);
  assert.deepEqual(l.env, { ELECTRON_RUN_AS_NODE: '1' });
});

test('WARDEN_CONNECT_COMMAND overrides, and a bad one is refused with a clear message', () => {
  const l = resolveLauncher({ platform: 'linux', execPath: '/usr/bin/node', env: { WARDEN_CONNECT_COMMAND: '["/usr/local/bin/warden"]' } });
  assert.deepEqual([l.command, ...l.args], ['/usr/local/bin/warden', 'connect']);
  assert.throws(() => resolveLauncher({ platform: 'linux', execPath: '/usr/bin/node', env: { WARDEN_CONNECT_COMMAND: 'warden' } }), /JSON array/);
});

test('this checkout is found from the module, and its bin/warden.js exists', () => {
  const root = findCheckoutRoot();
  assert.ok(root && existsSync(`${root}/bin/warden.js`));
  const l = resolveLauncher();
  assert.equal(l.command, process.execPath);
});
