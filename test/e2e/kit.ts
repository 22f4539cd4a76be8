// End-to-end kit: a real `warden serve` in a fresh data directory with real servers, headless Chromium
// on its UI (through the one-time link it prints), and real MCP clients over `warden connect`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ServerConfigInput } from '../../shared/servers.js';
import { ServerStore } from '../../src-main/engine/config/servers.js';
import { dataPaths } from '../../src-main/engine/paths.js';
import { ROOT, tempDir, WARDEN_BIN } from '../helpers/engine.js';

export const SCREENSHOTS = join(ROOT, 'test', 'artifacts', 'screenshots');

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's Chromium where it is installed (here and in CI), else Playwright's own browser. */
export function launchBrowser(): Promise<Browser> {
  const executablePath = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

export interface Served {
  dir: string;
  /** The HOME (and XDG_CONFIG_HOME below it) that warden serve and its clients see. */
  home: string;
  uiUrl: string;
  baseUrl: string;
  child: ChildProcess;
  /** A real SDK client launched the way a protected client launches Warden: `warden connect <server>`. */
  client(server: string, name?: string): Promise<Client>;
  stop(): Promise<void>;
}

export async function serve(configure: (dir: string) => ServerConfigInput[], env: Record<string, string> = {}): Promise<Served> {
  // A renderer build in progress empties dist/renderer first: give it a moment before giving up.
  for (let i = 0; i < 60 && !existsSync(join(ROOT, 'dist', 'renderer', 'index.html')); i++) await new Promise((r) => setTimeout(r, 500));
  if (!existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) {
    throw new Error('The UI is not built (dist/renderer/index.html missing): run `npm run build` before the e2e tests.');
  }
  const temp = tempDir('warden-e2e-');
  mkdirSync(join(temp.dir, 'box'), { recursive: true });
  mkdirSync(join(temp.dir, 'home', '.config'), { recursive: true });
  const store = new ServerStore(dataPaths(temp.dir));
  for (const config of configure(temp.dir)) store.add(config);
  // A home of its own: the Clients screen reads client config files there, never the real user's.
  const home = join(temp.dir, 'home');
  const childEnv = { ...process.env, WARDEN_DATA_DIR: temp.dir, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ...env };
  // dist/ is shared: an `npm run build` running meanwhile (another checkout user, CI's build step)
  // rewrites it file by file, and a `warden serve` started in that window loads a mix of old and new
  // modules and dies linking them. That failure is retried after the build has had time to finish; a
  // build that is really broken fails the same way again and is reported.
  let child!: ChildProcess;
  let out = '';
  for (let attempt = 1; ; attempt++) {
    const started = await startServe(childEnv);
    if (started.ok) {
      ({ child, out } = started);
      break;
    }
    if (attempt >= 3 || !HALF_BUILT.test(started.error.message)) throw started.error;
    await new Promise((r) => setTimeout(r, 4000));
  }
  const uiUrl = /UI: +(http:\/\/\S+)/.exec(out)?.[1];
  if (!uiUrl || !uiUrl.includes('token=')) throw new Error(`warden serve printed no UI link: ${out}`);
  const clients: Client[] = [];
  return {
    dir: temp.dir,
    home,
    uiUrl,
    baseUrl: new URL('/', uiUrl).href.replace(/\/$/, ''),
    child,
    async client(server, name = 'e2e-client') {
      const client = new Client({ name, version: '1.0.0' }, { capabilities: {} });
      await client.connect(
        new StdioClientTransport({ command: process.execPath, args: [WARDEN_BIN, 'connect', server], env: childEnv as Record<string, string>, stderr: 'pipe' }),
      );
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      temp.remove();
    },
  };
}

/** How a `warden serve` dies when dist/ is being rebuilt under it (modules from two builds). */
const HALF_BUILT = /does not provide an export named|ERR_MODULE_NOT_FOUND|Cannot find module/;

async function startServe(env: NodeJS.ProcessEnv): Promise<{ ok: true; child: ChildProcess; out: string } | { ok: false; error: Error }> {
  const child = spawn(process.execPath, [WARDEN_BIN, 'serve', '--no-open', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  try {
    const out = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`warden serve did not start in 20 s: ${text}${err}`)), 20_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('Data:')) {
          clearTimeout(timer);
          resolve(text);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`warden serve exited ${code}: ${text}${err}`));
      });
    });
    return { ok: true, child, out };
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGTERM');
    return { ok: false, error: error as Error };
  }
}

/** Claude Desktop's config file under a test home, as the client writes it on Linux. */
export function claudeDesktopConfig(home: string): string {
  return join(home, '.config', 'Claude', 'claude_desktop_config.json');
}

/** Opens the UI through the launch link and waits for the app to be connected to the engine. */
export async function openUi(browser: Browser, served: Served, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(served.uiUrl);
  await page.getByRole('navigation', { name: 'Warden' }).waitFor();
  await page.getByText('Engine connected').waitFor();
  return page;
}

export function pageProblems(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

/** A managed policy file from "Example Corp IT" in a temporary folder; pass its path as WARDEN_MANAGED_POLICY. */
export function managedPolicyFile(prefix: string, policy: Record<string, unknown>): { path: string; remove(): void } {
  const dir = tempDir(prefix);
  const path = join(dir.dir, 'managed-policy.json');
  writeFileSync(path, JSON.stringify({ version: 1, managedBy: 'Example Corp IT', contact: 'it-help@example.com', ...policy }));
  return { path, remove: () => dir.remove() };
}
