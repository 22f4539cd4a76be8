// The footer tells the truth about the engine: connected while it runs, "Engine not reachable" soon
// after it stops (the browser's EventSource keeps retrying, which once read as "Connecting…" forever).
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from '@playwright/test';
import { join } from 'node:path';
import { servers } from '../helpers/engine.js';
import { launchBrowser, openUi, serve, type Served } from './kit.js';

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

  test('reads "Engine not reachable" once the engine stops', { timeout: 30_000 }, async () => {
    await page.getByText('Engine connected').waitFor({ timeout: 10_000 });
    const exited = new Promise((r) => served.child.once('exit', r));
    served.child.kill('SIGTERM');
    await exited;
    await page.getByText('Engine not reachable').waitFor({ timeout: 10_000 });
  });
});
