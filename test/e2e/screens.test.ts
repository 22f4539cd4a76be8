// Every screen, in light and dark, with real data behind it: screenshots saved under
// test/artifacts/screenshots/ for a person to look at, and checks a screen reader user would notice
// (a heading per screen, a name on every control).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { servers } from '../helpers/engine.js';
import { claudeDesktopConfig, launchBrowser, openUi, pageProblems, SCREENSHOTS, serve, type Served } from './kit.js';

const SCREENS = [
  { route: 'approvals', heading: 'Approvals' },
  { route: 'servers', heading: 'Servers & tools' },
  { route: 'activity', heading: 'Activity' },
  { route: 'clients', heading: 'Clients' },
  { route: 'settings', heading: 'Settings' },
] as const;

/** Controls without an accessible name (text, aria-label, aria-labelledby or a <label>). */
function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ outerHTML: string; textContent: string | null; getAttribute(n: string): string | null; id: string; closest(s: string): unknown; labels?: ArrayLike<unknown> | null }> } }).document;
    const out: string[] = [];
    for (const el of Array.from(doc.querySelectorAll('button, input, select, textarea, a[href]'))) {
      if (el.getAttribute('type') === 'hidden') continue;
      const named = (el.textContent ?? '').trim() || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.labels && el.labels.length > 0) || el.closest('label');
      if (!named) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
}

describe('each screen, light and dark', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let client: Client;
  let waiting: Promise<unknown> | undefined;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    served = await serve((dir) => {
      const config = claudeDesktopConfig(join(dir, 'home'));
      mkdirSync(dirname(config), { recursive: true });
      const memory = servers.memory('knowledge');
      writeFileSync(config, JSON.stringify({ mcpServers: { knowledge: memory.transport === 'stdio' ? { command: memory.command, args: memory.args } : {} } }, null, 2));
      return [servers.filesystem(join(dir, 'box')), servers.memory('memory')];
    });
    browser = await launchBrowser();
    page = await openUi(browser, served);
    client = await served.client('filesystem', 'Claude Desktop');
    await client.listTools();
    const memory = await served.client('memory', 'Cursor');
    await memory.listTools();
    const box = join(served.dir, 'box');
    // Some history for the Activity screen: allowed by policy, approved by a person, denied.
    await client.callTool({ name: 'list_allowed_directories', arguments: {} });
    await memory.callTool({ name: 'read_graph', arguments: {} });
    for (const [name, button] of [['notes.md', /^Allow once/], ['secrets.txt', /^Deny/]] as const) {
      await page.goto(`${served.baseUrl}/ui/#/approvals`);
      const call = client.callTool({ name: 'write_file', arguments: { path: join(box, name), content: 'hello' } });
      const card = page.locator('article[data-approval-id]', { hasText: name });
      await card.getByRole('button', { name: button }).click();
      await call;
    }
    // And one the client cancelled while it waited for approval.
    const abort = new AbortController();
    const cancelled = client.callTool({ name: 'write_file', arguments: { path: join(box, 'draft.md'), content: 'hello' } }, undefined, { signal: abort.signal }).catch(() => undefined);
    await page.locator('article[data-approval-id]', { hasText: 'draft.md' }).waitFor();
    abort.abort('changed my mind');
    await cancelled;
    await page.getByRole('heading', { name: 'Nothing waits for you' }).waitFor();
    // One call that waits while the screenshots are taken (long enough not to time out meanwhile).
    await page.evaluate(() => fetch('/api/approvals.settings', { method: 'POST', headers: { 'content-type': 'application/json', 'x-warden-session': sessionStorage.getItem('warden.session') ?? '' }, body: JSON.stringify({ timeoutSeconds: 600 }) }));
    waiting = client.callTool({ name: 'move_file', arguments: { source: join(box, 'notes.md'), destination: join(box, 'archive', 'notes.md') } }).catch(() => undefined);
    await page.locator('article[data-approval-id]').waitFor();
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
    await waiting;
  });

  for (const theme of ['light', 'dark'] as const) {
    for (const screen of SCREENS) {
      test(`${screen.heading} (${theme})`, async () => {
        await page.emulateMedia({ colorScheme: theme });
        await page.goto(`${served.baseUrl}/ui/#/${screen.route}`);
        await page.getByRole('heading', { level: 1, name: screen.heading }).waitFor();
        if (screen.route === 'approvals') await page.locator('article[data-approval-id]').waitFor();
        if (screen.route === 'servers') {
          const expand = page.getByRole('button', { name: 'Show tools and stderr of filesystem' });
          if ((await expand.getAttribute('aria-expanded')) !== 'true') await expand.click();
          await page.getByRole('table', { name: 'Tools of filesystem' }).waitFor();
        }
        if (screen.route === 'activity') await page.getByRole('grid', { name: 'Audit records' }).getByRole('row').filter({ hasText: 'write_file' }).first().waitFor();
        if (screen.route === 'clients') await page.locator('section.panel').first().waitFor();
        // Let the chart and lists settle, and keep the mouse off the cards (hovering holds an approval).
        await page.mouse.move(1, 790);
        await page.waitForTimeout(150);
        await page.screenshot({ path: join(SCREENSHOTS, `${screen.route}-${theme}.png`) });
        assert.deepEqual(await unnamedControls(page), [], 'every control has a name');
        const background = await page.evaluate(() => {
          const g = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string }; document: { body: unknown } };
          return g.getComputedStyle(g.document.body).backgroundColor;
        });
        const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number) as [number, number, number];
        const light = (r + g + b) / 3 > 128;
        assert.equal(light, theme === 'light', `the ${theme} theme is applied (${background})`);
      });
    }
  }

  test('the detail drawer and the empty Approvals screen', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${served.baseUrl}/ui/#/activity`);
    await page.getByRole('grid', { name: 'Audit records' }).getByRole('row').filter({ hasText: 'approved' }).first().click();
    await page.getByRole('dialog').getByRole('list', { name: 'Decision path' }).getByText(/^ok$/).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'activity-drawer-light.png') });
    await page.keyboard.press('Escape');
    // A call the client cancelled while it waited was denied by nobody: it reads "cancelled", in the list and the chart.
    const cancelledRow = page.getByRole('grid', { name: 'Audit records' }).getByRole('row').filter({ hasText: 'cancelled' }).filter({ hasText: 'decision' }).first();
    assert.equal(await cancelledRow.getByRole('gridcell').nth(4).innerText(), 'cancelled');
    // The client as the cards name it: the name it claimed, beside the id its token proves.
    assert.match(await cancelledRow.getByRole('gridcell').nth(3).innerText(), /^Claude Desktop \([a-z0-9-]+\)$/);
    await page.getByRole('img', { name: /[1-9]\d* cancelled by the client/ }).waitFor();
    await cancelledRow.click();
    await page.getByRole('dialog').getByText('the client cancelled the call while it waited').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'activity-drawer-cancelled-light.png') });
    await page.keyboard.press('Escape');
    await page.goto(`${served.baseUrl}/ui/#/approvals`);
    await page.locator('article[data-approval-id]').getByRole('button', { name: /^Deny/ }).click();
    await page.getByRole('heading', { name: 'Nothing waits for you' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'approvals-empty-light.png') });
    assert.deepEqual(pageProblems(page), []);
  });
});
