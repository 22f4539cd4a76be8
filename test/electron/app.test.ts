// The desktop shell, driven by Playwright's Electron support: the window shows the UI, the preload
// exposes the one API (and nothing of Node), the sender check and the tray count work. These run where
// Electron's binary exists; here (no binary can be downloaded) they are reported as skipped, with why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

/** Found as the electron package finds it, without requiring it (which would start a download). */
function electronBinary(): { path?: string; why?: string } {
  let dir: string;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { why: 'Electron binary not installed: the electron package is missing' };
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { why: 'Electron binary not installed: node_modules/electron has no path.txt (its download was skipped or failed; this machine cannot download it)' };
  const bin = join(process.env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? { path: bin } : { why: `Electron binary not installed: nothing at ${bin}` };
}

function displayMissing(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  return process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? undefined : 'no display (DISPLAY/WAYLAND_DISPLAY unset); run under xvfb-run';
}

const binary = electronBinary();
const skipReason = binary.why ?? displayMissing();
if (skipReason) process.stdout.write(`# test/electron/app.test.ts skipped: ${skipReason}\n`);

test('the desktop window shows the UI through the sandboxed preload, and the tray counts waiting calls', async (t) => {
  if (skipReason) {
    t.skip(skipReason);
    return;
  }
  const { _electron } = await import('@playwright/test');
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-electron-'));
  const app = await _electron.launch({
    executablePath: binary.path,
    args: [ROOT, '--no-sandbox'],
    env: { ...process.env, WARDEN_DATA_DIR: dataDir } as Record<string, string>,
  });
  try {
    const page = await app.firstWindow();
    await page.waitForSelector('nav[aria-label="Warden"]');
    assert.equal(await page.title(), 'Warden');
    assert.match(page.url(), /^warden:\/\/ui\/index\.html/);
    // Context isolation: no Node in the page; only the one API object.
    const probe = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      warden: Object.keys((globalThis as unknown as { warden: object }).warden).sort(),
    }));
    assert.deepEqual(probe, { require: 'undefined', process: 'undefined', warden: ['invoke', 'onOpenApproval', 'subscribe'] });
    const status = await page.evaluate(() => (globalThis as unknown as { warden: { invoke(m: string, i: unknown): Promise<unknown> } }).warden.invoke('engine.status', {}));
    assert.equal((status as { ok: boolean }).ok, true);
    const unknown = await page.evaluate(() => (globalThis as unknown as { warden: { invoke(m: string, i: unknown): Promise<unknown> } }).warden.invoke('no.such', {}));
    assert.deepEqual((unknown as { error: { code: string } }).error.code, 'not_found');
    // New windows and navigation away are refused.
    await page.evaluate(() => (globalThis as unknown as { open(u: string): unknown }).open('https://example.com/'));
    assert.equal(app.windows().length, 1);
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(300);
    assert.match(page.url(), /^warden:\/\/ui\//);
    // The tray starts with nothing waiting.
    const tooltip = await app.evaluate(() => (globalThis as { wardenShell?: { trayTooltip(): string } }).wardenShell?.trayTooltip());
    assert.equal(tooltip, 'Warden: nothing waiting');
    // Closing the window keeps the app (and the engine) running in the tray.
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close());
    const stillThere = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);
    assert.equal(stillThere, 1, 'the window hides instead of closing');
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
