// Removing a server in Servers & tools: asked once more, then gone from the screen and from Warden; its
// open panel does not go on asking for the tools and stderr of a server that no longer exists (404s),
// and focus stays on the screen rather than falling to the page body.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { ServerStore } from '../../src-main/engine/config/servers.js';
import { dataPaths } from '../../src-main/engine/paths.js';
import { servers } from '../helpers/engine.js';
import { launchBrowser, openUi, pageProblems, serve, type Served } from './kit.js';

describe('removing a server in the UI', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;

  before(async () => {
    served = await serve((dir) => [servers.filesystem(join(dir, 'box')), servers.memory('memory')]);
    browser = await launchBrowser();
    page = await openUi(browser, served);
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
  });

  test('its open panel closes with it: no request for a server that is gone, and focus stays on the screen', { timeout: 30_000 }, async () => {
    const missing: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404 && response.url().includes('/api/')) missing.push(response.url());
    });
    await page.getByRole('link', { name: 'Servers & tools' }).click();
    const panel = page.getByRole('region', { name: 'Server memory' });
    await panel.getByRole('button', { name: 'Show tools and stderr of memory' }).click();
    await panel.getByRole('heading', { name: 'stderr' }).waitFor();
    await panel.getByRole('button', { name: 'Remove server memory' }).click();
    await panel.getByRole('button', { name: 'Remove memory' }).click();
    await panel.waitFor({ state: 'detached' });
    await page.getByRole('region', { name: 'Server filesystem' }).waitFor();
    await new Promise((r) => setTimeout(r, 500)); // any late reload of the gone panel would have gone out by now
    assert.deepEqual(missing, []);
    assert.equal(new ServerStore(dataPaths(served.dir)).get('memory'), undefined, 'removed from Warden');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: unknown; body: unknown } }).document.activeElement !== (globalThis as unknown as { document: { body: unknown } }).document.body), true, 'focus is not on the page body');
    assert.deepEqual(pageProblems(page), []);
  });
});
