// The desktop app's main process: thin. It runs the engine, shows the renderer in one locked-down window,
// keeps a tray icon with the number of waiting calls, and raises a notification for each call that waits.
// Closing the window keeps the engine running in the tray; Quit in the tray menu stops it.
import { app, BrowserWindow, ipcMain, Menu, nativeImage, net, Notification, protocol, session, Tray, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { events, type EventName } from '../../shared/api/index.js';
import type { ApprovalView } from '../../shared/policy.js';
import { startEngine, type Engine } from '../engine/engine.js';
import { dataDir } from '../engine/paths.js';
import { APP_INDEX_URL, APP_SCHEME, fileForAppUrl, isAllowedNavigation, isOwnPage } from './app-url.js';
import { UI_CONTENT_SECURITY_POLICY } from '../engine/web/csp.js';
import { notificationFor, trayTitle, trayTooltip } from './presenting.js';
import { DesktopUpdater, loadElectronUpdater } from './updater.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/src-main/electron -> the package root. */
const root = join(here, '..', '..', '..');
const rendererDir = join(root, 'dist', 'renderer');
const preloadFile = join(here, 'preload.cjs');
const assets = join(root, 'assets');

let engine: Engine | undefined;
let window: BrowserWindow | undefined;
let tray: Tray | undefined;
let quitting = false;
const notifications = new Map<string, Notification>();

function pendingFrom(name: string, payload: unknown): ApprovalView[] | undefined {
  if (!name.startsWith('approvals')) return undefined;
  const pending = (payload as { pending?: unknown })?.pending;
  return Array.isArray(pending) ? (pending as ApprovalView[]) : undefined;
}

function showWindow(approvalId?: string): void {
  if (!window || window.isDestroyed()) window = createWindow();
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
  if (approvalId) window.webContents.send('warden:open-approval', approvalId);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1120,
    height: 760,
    minWidth: 760,
    minHeight: 480,
    show: false,
    title: 'Warden',
    backgroundColor: '#f5f5f4',
    icon: existsSync(join(assets, 'icon.png')) ? join(assets, 'icon.png') : undefined,
    webPreferences: {
      preload: preloadFile,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    if (!quitting) {
      // The engine keeps guarding calls; the window comes back from the tray.
      event.preventDefault();
      win.hide();
    }
  });
  void win.loadURL(APP_INDEX_URL);
  return win;
}

function lockDownContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAllowedNavigation(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // No remote content: the window only ever loads our own files.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = details.url.startsWith(`${APP_SCHEME}://`) || details.url.startsWith('devtools://') || details.url.startsWith('data:');
    callback({ cancel: !allowed });
  });
}

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.map': 'application/json' };

/** Serves dist/renderer at warden://ui/ with the UI's CSP; nothing outside that folder. */
function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = fileForAppUrl(request.url, rendererDir);
    if (!file || !existsSync(file)) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    return new Response(res.body, {
      status: 200,
      headers: {
        'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': UI_CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}

/** Only our own window's top frame, showing our own page, may call the engine. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return !!window && event.sender === window.webContents && !!frame && frame === event.sender.mainFrame && isOwnPage(frame.url);
}

function wireIpc(running: Engine): void {
  ipcMain.handle('warden:invoke', async (event, method: unknown, input: unknown) => {
    if (!trustedSender(event)) return { ok: false, error: { code: 'forbidden', message: 'This window may not call Warden.' } };
    if (typeof method !== 'string') return { ok: false, error: { code: 'bad_input', message: 'The method name must be a string.' } };
    const result = await running.api(method, input);
    if (result.ok && method === 'settings.set') applyLoginItem(running);
    return result.ok ? { ok: true, result: result.result } : { ok: false, error: result.error };
  });
  for (const name of Object.keys(events) as EventName[]) {
    running.on(name, (payload: unknown) => {
      if (window && !window.isDestroyed()) window.webContents.send('warden:event', name, payload);
      const pending = pendingFrom(name, payload);
      if (pending) onPending(running, pending);
    });
  }
}

function onPending(running: Engine, pending: ApprovalView[]): void {
  trayText = trayTooltip(pending.length);
  tray?.setToolTip(trayText);
  tray?.setTitle(trayTitle(pending.length));
  if (process.platform === 'darwin' || process.platform === 'linux') app.setBadgeCount(pending.length);
  const ids = new Set(pending.map((a) => a.id));
  for (const [id, note] of notifications) {
    if (!ids.has(id)) {
      note.close();
      notifications.delete(id);
    }
  }
  if (!Notification.isSupported()) return;
  for (const approval of pending) {
    if (notifications.has(approval.id)) continue;
    const { title, body } = notificationFor(approval);
    const note = new Notification({
      title,
      body,
      urgency: 'critical',
      timeoutType: 'never',
      // Buttons where the OS supports them (macOS); elsewhere a click opens the card.
      actions: [
        { type: 'button', text: 'Allow once' },
        { type: 'button', text: 'Deny' },
      ],
    });
    note.on('click', () => showWindow(approval.id));
    note.on('action', (_event, index) => {
      const choice = index === 0 ? { effect: 'allow', scope: 'once' } : { effect: 'deny', scope: 'once' };
      void running.api('approvals.answer', { id: approval.id, ...choice, via: 'notification' });
    });
    notifications.set(approval.id, note);
    note.show();
  }
}

/** What the shell's own tests read from the main process (Playwright's electronApp.evaluate). */
(globalThis as { wardenShell?: unknown }).wardenShell = {
  trayTooltip: () => trayText,
};
let trayText = trayTooltip(0);

function createTray(): void {
  const image = existsSync(join(assets, 'tray.png')) ? nativeImage.createFromPath(join(assets, 'tray.png')) : nativeImage.createEmpty();
  if (process.platform === 'darwin') image.setTemplateImage(true);
  tray = new Tray(image);
  tray.setToolTip(trayTooltip(0));
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Warden', click: () => showWindow() },
      { type: 'separator' },
      {
        label: 'Quit Warden',
        click: () => {
          quitting = true;
          app.quit();
        },
      },
    ]),
  );
  tray.on('click', () => showWindow());
}

function applyLoginItem(running: Engine): void {
  try {
    app.setLoginItemSettings({ openAtLogin: running.settings.get().startAtLogin });
  } catch {
    // Not every desktop supports login items (Linux without a session manager); the setting stays as chosen.
  }
}

// Must happen before the app is ready: our scheme behaves like https (secure context, same-origin rules).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } }]);

/** `Warden --connect <server>`: what protected clients run in the installed app, where the RunAsNode fuse
 *  is off (see engine/clients/launcher.ts). Only the stdio bridge runs: no window, no tray, no
 *  single-instance lock; the CLI's `connect` command does the work and exits with the client. */
async function runConnect(at: number): Promise<void> {
  app.dock?.hide();
  const { connectFromArgv } = await import('../cli/commands/connect.js');
  await connectFromArgv(process.argv.slice(at + 1));
}

async function main(): Promise<void> {
  const connectAt = process.argv.indexOf('--connect');
  if (connectAt > 0) return runConnect(connectAt);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => showWindow());
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    // Keep running in the tray.
  });
  app.on('will-quit', (event) => {
    if (engine) {
      event.preventDefault();
      const stopping = engine;
      engine = undefined;
      void stopping.stop().finally(() => app.exit(0));
    }
  });
  await app.whenReady();
  lockDownContents();
  serveRenderer();
  engine = await startEngine({ dataDir: process.env.WARDEN_DATA_DIR ? process.env.WARDEN_DATA_DIR : dataDir() });
  wireIpc(engine);
  applyLoginItem(engine);
  // Updates run only in the installed app, and only while managed policy and Settings allow them.
  new DesktopUpdater(engine, { packaged: app.isPackaged, load: loadElectronUpdater }).start();
  createTray();
  // `--background`: started by `Warden --connect` because no engine ran; stay in the tray.
  if (!process.argv.includes('--background')) window = createWindow();
  app.on('activate', () => showWindow());
}

main().catch((error: unknown) => {
  process.stderr.write(`warden: the desktop app could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  app.exit(1);
});
