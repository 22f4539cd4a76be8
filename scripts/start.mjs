#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary and a display exist; otherwise `warden serve`
// (the engine with the same UI in a browser), saying why. Extra arguments go to `warden serve`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    // The `electron` package exports the path of its binary, and throws when the binary was never downloaded.
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? { path } : { why: `Electron's binary is not at ${path}` };
  } catch (error) {
    return { why: `Electron's binary is not installed (${String(error?.message ?? error).split('\n')[0]})` };
  }
}

function display() {
  if (process.platform === 'darwin' || process.platform === 'win32') return { ok: true };
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return { ok: true };
  return { ok: false, why: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (!existsSync(`${root}/dist/src-main/cli/main.js`)) {
  process.stderr.write('warden: Warden is not built yet. Run `npm install` (or `npm run build`) first.\n');
  process.exit(70);
}

const electron = electronBinary();
const screen = display();
if (electron.path && screen.ok && !process.argv.includes('--headless')) {
  run(electron.path, [root]);
} else {
  const why = electron.path ? (screen.ok ? 'you asked for --headless' : screen.why) : electron.why;
  process.stderr.write(`warden: starting headless (\`warden serve\`), because ${why}. Open the UI link below in a browser on this machine.\n`);
  run(process.execPath, [`${root}/bin/warden.js`, 'serve', ...process.argv.slice(2).filter((a) => a !== '--headless')]);
}
