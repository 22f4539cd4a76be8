// The footer tells the truth about the engine: connected while it runs, "Engine not reachable" soon
// after it stops (the browser's EventSource keeps retrying, which once read as "Connecting…" forever).
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from '@playwright/test';
import { join } from 'node:path';
import { servers } from '../helpers/engine.js';
import assert from 'node:assert/strict';
import { launchBrowser, openUi, SCREENSHOTS, serve, type Served } from './kit.js';

describe('the engine going away', () => {
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

  test('a tab opened without the launch link (or whose session ended) says how to get a session', async () => {
    const fresh = await browser.newPage();
    const errors: string[] = [];
    fresh.on('pageerror', (e) => errors.push(e.message));
    await fresh.goto(`${served.baseUrl}/ui/`);
    await fresh.getByRole('alert').filter({ hasText: 'This tab has no Warden session' }).waitFor();
    await fresh.getByText('run warden ui for a new one', { exact: false }).waitFor();
    assert.equal(await fresh.getByRole('navigation', { name: 'Warden' }).count(), 0, 'no screens that could only fail');
    await fresh.screenshot({ path: join(SCREENSHOTS, 'signed-out-light.png') });
    assert.deepEqual(errors, []);
    await fresh.close();
  });

  test('reads "Engine not reachable" once the engine stops', { timeout: 30_000 }, async () => {
    await page.getByText('Engine connected').waitFor({ timeout: 10_000 });
    const exited = new Promise((r) => served.child.once('exit', r));
    served.child.kill('SIGTERM');
    await exited;
    await page.getByText('Engine not reachable').waitFor({ timeout: 10_000 });
  });
});
