// Which client entries already go through Warden: only a command (or the script it runs) named as
// Warden's, followed by `connect <server>` (or the app's `--connect <server>`). Anything else is the
// user's own server and is routed through Warden on protect, whatever folder it lives in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWardenEntry, wardenServerOf } from '../../../src-main/engine/clients/entries.js';

const stdio = (command: string, ...args: string[]) => ({ transport: 'stdio' as const, command, args, env: {} });

test("Warden's own launch commands are recognised, and the server they go to is read", () => {
  for (const entry of [
    stdio('/usr/bin/node', '/src/warden/bin/warden.js', 'connect', 'github'),
    stdio('/Applications/Warden.app/Contents/MacOS/Warden', '--connect', 'github'),
    stdio('C:\\Users\\me\\AppData\\Local\\Programs\\Warden\\Warden.exe', '--connect', 'github'),
    stdio('/home/me/Apps/Warden-0.1.0.AppImage', '--connect', 'github'),
    stdio('warden', 'connect', 'github'),
    stdio('npx', '-y', 'warden', 'connect', 'github'),
  ]) {
    assert.equal(wardenServerOf(entry), 'github', JSON.stringify(entry));
  }
});

test('a server that only lives under a folder named warden, or says connect, is not taken for Warden', () => {
  for (const entry of [
    stdio('node', '/home/warden/tools/vpn.js', 'connect', 'office'),
    stdio('/opt/wardenclyffe/bin/tesla', 'connect', 'coil'),
    stdio('/usr/bin/node', '/src/warden/bin/warden.js', 'serve'),
    stdio('ssh', 'connect', 'host'),
  ]) {
    assert.equal(isWardenEntry(entry), false, JSON.stringify(entry));
  }
});
