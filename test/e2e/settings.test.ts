// Settings that take effect: the approval timeout the guardian uses (a new card counts down from it) and
// the theme (applied at once, kept across reloads).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { servers } from '../helpers/engine.js';
import { launchBrowser, openUi, pageProblems, serve, type Served } from './kit.js';

describe('the Settings screen', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;

  before(async () => {
    served = await serve((dir) => [servers.filesystem(join(dir, 'box'))]);
    browser = await launchBrowser();
    page = await openUi(browser, served);
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
  });

  test('the approval timeout set here is the one a waiting call gets', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const timeout = page.getByRole('spinbutton', { name: /Wait for an answer/ });
    await timeout.fill('12');
    await page.keyboard.press('Tab');
    await page.waitForFunction(async () => {
      const res = await fetch('/api/approvals.settings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return ((await res.json()) as { result: { timeoutSeconds: number } }).result.timeoutSeconds === 12;
    });
    const client = await served.client('filesystem');
    await client.listTools();
    const call = client.callTool({ name: 'write_file', arguments: { path: join(served.dir, 'box', 'x.txt'), content: 'x' } });
    await page.getByRole('link', { name: /Approvals/ }).click();
    const timer = page.locator('article[data-approval-id]').getByRole('timer');
    await timer.waitFor();
    const seconds = Number(/(\d+) s/.exec((await timer.getAttribute('aria-label')) ?? '')?.[1]);
    assert.ok(seconds > 0 && seconds <= 12, `the card counts down from 12 s, not 45 (${seconds})`);
    await page.keyboard.press('d');
    assert.equal(((await call) as { isError?: boolean }).isError, true);
  });

  test('the theme applies at once and is kept', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'Dark' }).check();
    await page.waitForFunction(() => (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } }).document.documentElement.dataset.theme === 'dark');
    await page.reload();
    await page.getByRole('navigation', { name: 'Warden' }).waitFor();
    await page.waitForFunction(() => (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } }).document.documentElement.dataset.theme === 'dark');
    await page.getByRole('radio', { name: 'Same as the system' }).check();
    await page.waitForFunction(() => (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } }).document.documentElement.dataset.theme === undefined);
    assert.deepEqual(pageProblems(page), []);
  });
});
