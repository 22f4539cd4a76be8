#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary and a display exist; otherwise `warden serve`
// (the engine with the same UI in a browser), saying why. Extra arguments go to `warden serve`.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/**
 * Electron's binary, found the way the `electron` package finds it (path.txt + dist/), but without
 * requiring the package: from v36 on, requiring it starts a download when the binary is missing.
 */
function electronBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { why: 'the electron package is not installed' };
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { why: "Electron's binary is not installed (node_modules/electron has no path.txt: its download was skipped or failed; `node node_modules/electron/install.js` fetches it where the network allows)" };
  const bin = join(process.env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? { path: bin } : { why: `Electron's binary is not at ${bin}` };
}

function display() {
  if (process.platform === 'darwin' || process.platform === 'win32') return { ok: true };
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return { ok: true };
  return { ok: false, why: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  // Ctrl-C in a terminal reaches the whole foreground group, the child too: passing it on as well
  // made the child stop twice over ("already stopping"). Sent to this process alone, it is passed on.
  process.on('SIGINT', () => {
    if (!process.stdin.isTTY) forward('SIGINT');
  });
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
