// The Clients screen with a real Claude Desktop config file (in a test home): protecting it shows the
// change first and writes only that; its server then goes through Warden; Unprotect restores the file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { packageBin } from '../../src-main/engine/config/demo.js';
import { claudeDesktopConfig, launchBrowser, openUi, pageProblems, serve, type Served } from './kit.js';

describe('protecting a client from the Clients screen', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let file: string;
  let original: string;

  before(async () => {
    served = await serve((dir) => {
      file = claudeDesktopConfig(join(dir, 'home'));
      mkdirSync(dirname(file), { recursive: true });
      original = JSON.stringify({ mcpServers: { memory: { command: process.execPath, args: [packageBin('@modelcontextprotocol/server-memory')] } } }, null, 2) + '\n';
      writeFileSync(file, original);
      return [];
    });
    browser = await launchBrowser();
    page = await openUi(browser, served);
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
  });

  test('Protect shows the change, then routes the server through Warden; Unprotect restores the file', async () => {
    await page.getByRole('link', { name: 'Clients' }).click();
    const claude = page.getByRole('region', { name: 'Claude Desktop' });
    await claude.getByRole('table').getByText('no, direct').waitFor();
    await claude.getByRole('button', { name: 'Protect…' }).click();
    const plan = page.getByRole('region', { name: /What protecting .* changes/ });
    await plan.waitFor();
    assert.match(await plan.innerText(), /Routed through Warden\s*memory/);
    assert.match(await plan.getByRole('region').or(plan.locator('pre')).first().innerText(), /connect/);
    assert.equal(readFileSync(file, 'utf8'), original, 'the preview changes nothing');
    await plan.getByRole('button', { name: 'Protect this file' }).click();
    await claude.getByRole('table').getByText('yes').waitFor();
    const rewritten = JSON.parse(readFileSync(file, 'utf8')) as { mcpServers: { memory: { command: string; args: string[] } } };
    assert.ok(rewritten.mcpServers.memory.args.includes('connect'), JSON.stringify(rewritten));
    await page.getByRole('link', { name: 'Servers & tools' }).click();
    await page.getByRole('region', { name: 'Server memory' }).waitFor();
    await page.getByRole('link', { name: 'Clients' }).click();
    await claude.getByRole('button', { name: 'Unprotect' }).click();
    await claude.getByRole('table').getByText('no, direct').waitFor();
    assert.equal(readFileSync(file, 'utf8'), original, 'the original bytes are back');
    assert.deepEqual(pageProblems(page), []);
  });
});
