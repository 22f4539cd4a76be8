// The command a protected client runs to reach Warden over stdio (`warden connect <server>`). It has to
// work where the person runs it, with nothing on PATH that we can count on:
//
// 1. Installed desktop app (packaged Electron). There is no Node and no npx there, and the
//    RunAsNode fuse is off (ELECTRON_RUN_AS_NODE is ignored), so the app's own executable takes the
//    flag instead: `<Warden executable> --connect <server>`. Electron main sees `--connect` before it
//    creates a window or takes the single-instance lock, runs only the stdio bridge and exits with it.
//      macOS:   /Applications/Warden.app/Contents/MacOS/Warden --connect <server>
//      Windows: %LOCALAPPDATA%\Programs\Warden\Warden.exe --connect <server>
//      Linux:   the AppImage file itself ($APPIMAGE: process.execPath points into its temporary
//               mount, which is gone once the app quits), or /opt/Warden/warden for the .deb.
// 2. Electron run from a source checkout (`electron .`): the Electron binary with
//    ELECTRON_RUN_AS_NODE=1 (unpackaged Electron keeps the fuse on) running bin/warden.js.
// 3. Node (a source checkout, `npm install -g`, `warden serve`, the tests): the absolute path of this
//    Node binary and the absolute path of bin/warden.js: `/usr/bin/node /src/warden/bin/warden.js
//    connect <server>`. Absolute paths because clients start servers with their own, often minimal, PATH.
// WARDEN_CONNECT_COMMAND (a JSON array: command then leading args) overrides all of them.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LaunchCommand } from './entries.js';
import { ClientsError } from './errors.js';

export interface LauncherContext {
  platform: NodeJS.Platform;
  execPath: string;
  /** process.versions.electron */
  electron?: string;
  /** process.defaultApp: set by Electron when it runs an app from a folder (not packaged). */
  defaultApp?: boolean;
  env: NodeJS.ProcessEnv;
  /** The folder holding bin/warden.js, when there is one. */
  checkoutRoot?: string;
}

export interface Launcher extends LaunchCommand {
  /** Which case applied, in a sentence (shown in the preview and `clients list`). */
  how: string;
}

/** Finds the Warden package folder (with bin/warden.js) above this module, in src or in dist. */
export function findCheckoutRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'bin', 'warden.js')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

export function currentLauncherContext(): LauncherContext {
  const ctx: LauncherContext = {
    platform: process.platform,
    execPath: process.execPath,
    env: process.env,
    defaultApp: (process as { defaultApp?: boolean }).defaultApp === true,
  };
  if (process.versions.electron) ctx.electron = process.versions.electron;
  const root = findCheckoutRoot();
  if (root) ctx.checkoutRoot = root;
  return ctx;
}

/** Decides the launch command from the context. Pure. */
export function resolveLauncher(ctx: LauncherContext = currentLauncherContext()): Launcher {
  const override = ctx.env.WARDEN_CONNECT_COMMAND;
  if (override && override.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(override);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string' && p.length > 0)) {
      throw new ClientsError('bad_input', 'WARDEN_CONNECT_COMMAND must be a JSON array of strings: the command, then its leading arguments (`connect` is added).');
    }
    const [command, ...args] = parsed as string[];
    return { command: command!, args: [...args, 'connect'], how: 'WARDEN_CONNECT_COMMAND' };
  }
  if (ctx.electron && !ctx.defaultApp) {
    const command = ctx.platform === 'linux' && ctx.env.APPIMAGE ? ctx.env.APPIMAGE : ctx.execPath;
    return { command, args: ['--connect'], how: 'the installed Warden app runs the stdio bridge itself (`--connect`)' };
  }
  if (!ctx.checkoutRoot) {
    throw new ClientsError('bad_input', 'Cannot tell how clients should start Warden: bin/warden.js was not found beside this installation. Set WARDEN_CONNECT_COMMAND to a JSON array such as ["/usr/local/bin/warden"].');
  }
  const script = join(ctx.checkoutRoot, 'bin', 'warden.js');
  if (ctx.electron) {
    return { command: ctx.execPath, args: [script, 'connect'], env: { ELECTRON_RUN_AS_NODE: '1' }, how: 'Electron from a source checkout, running bin/warden.js as Node' };
  }
  return { command: ctx.execPath, args: [script, 'connect'], how: 'this Node binary running bin/warden.js from the Warden folder' };
}

/** The entry's command/args/env for one server. `dataDir` is written only when it is not the default,
 *  so that the bridge finds the same engine the person protected the client with. */
export function connectCommand(launcher: LaunchCommand, serverName: string, extraEnv: Record<string, string> = {}): LaunchCommand {
  const env = { ...(launcher.env ?? {}), ...extraEnv };
  const out: LaunchCommand = { command: launcher.command, args: [...launcher.args, serverName] };
  if (Object.keys(env).length > 0) out.env = env;
  return out;
}
