// Settings that take effect: the approval timeout the guardian uses (a new card counts down from it),
// the theme (applied at once, kept across reloads), a SIEM receiver added here (records reach it at
// once); and, under a managed policy, the settings IT fixes shown locked with who manages them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { servers, tempDir } from '../helpers/engine.js';
import { tcpReceiver, until } from '../helpers/syslog.js';
import { launchBrowser, managedPolicyFile, openUi, pageProblems, SCREENSHOTS, serve, type Served } from './kit.js';

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
      const res = await fetch('/api/approvals.settings', { method: 'POST', headers: { 'content-type': 'application/json', 'x-warden-session': sessionStorage.getItem('warden.session') ?? '' }, body: '{}' });
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

  test('a number field checks what was typed: emptied or 4.5 is said to be wrong and saves nothing; Enter saves', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const timeout = page.getByRole('spinbutton', { name: /Wait for an answer/ });
    const saved = () =>
      page.evaluate(async () => {
        const res = await fetch('/api/approvals.settings', { method: 'POST', headers: { 'content-type': 'application/json', 'x-warden-session': sessionStorage.getItem('warden.session') ?? '' }, body: '{}' });
        return ((await res.json()) as { result: { timeoutSeconds: number } }).result.timeoutSeconds;
      });
    const before = await saved();
    for (const typed of ['', '4.5', '0']) {
      await timeout.fill(typed);
      await page.keyboard.press('Tab');
      await page.getByRole('alert').filter({ hasText: 'Enter a whole number from 1 to 3600.' }).waitFor();
      assert.equal(await saved(), before, `"${typed}" is not saved`);
    }
    await timeout.fill('20');
    await timeout.press('Enter');
    await page.waitForFunction(async () => {
      const res = await fetch('/api/approvals.settings', { method: 'POST', headers: { 'content-type': 'application/json', 'x-warden-session': sessionStorage.getItem('warden.session') ?? '' }, body: '{}' });
      return ((await res.json()) as { result: { timeoutSeconds: number } }).result.timeoutSeconds === 20;
    });
    assert.equal(await page.getByRole('alert').filter({ hasText: 'Enter a whole number' }).count(), 0, 'the problem is gone once fixed');
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

describe('the Settings screen: audit forwarding and managed locks', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  test('a SIEM receiver added here gets the next records at once, and can be removed again', async () => {
    const siem = await tcpReceiver();
    const served = await serve(() => [], { WARDEN_MANAGED_POLICY: join(tempDir('warden-e2e-none-').dir, 'none.json') });
    try {
      const page = await openUi(browser, served);
      await page.getByRole('link', { name: 'Settings' }).click();
      const form = page.getByRole('form', { name: 'Add a syslog receiver' });
      await form.getByLabel('Protocol').selectOption('tcp');
      await form.getByLabel('Host').fill('127.0.0.1');
      await form.getByLabel('Port').fill(String(siem.port));
      await form.getByRole('button', { name: 'Add' }).click();
      await page.getByRole('list', { name: 'Syslog receivers' }).getByText(`tcp://127.0.0.1:${siem.port}`).waitFor();
      await page.getByRole('radio', { name: 'Dark' }).check();
      await until('a record at the receiver', () => siem.messages.some((m) => m.includes('settings.changed')));
      await page.getByRole('radio', { name: 'Light' }).check();
      const retention = page.getByRole('spinbutton', { name: /Keep records for/ });
      await retention.fill('730');
      await page.keyboard.press('Tab');
      await page.getByRole('spinbutton', { name: /Keep at most/ }).fill('500');
      await page.keyboard.press('Tab');
      await page.getByRole('form', { name: 'Add a syslog receiver' }).getByLabel('Protocol').selectOption('tls');
      await page.locator('fieldset', { hasText: 'Audit log' }).screenshot({ path: join(SCREENSHOTS, 'settings-audit-light.png') });
      await page.getByRole('button', { name: `Remove tcp://127.0.0.1:${siem.port}` }).click();
      await page.getByText('Not forwarded.').waitFor();
      const res = await page.evaluate(async () => (await (await fetch('/api/settings.get', { method: 'POST', headers: { 'content-type': 'application/json', 'x-warden-session': sessionStorage.getItem('warden.session') ?? '' }, body: '{}' })).json()) as { result: { auditRetentionDays: number; auditRetentionMaxMB: number; auditSyslog: unknown[] } });
      assert.equal(res.result.auditRetentionDays, 730);
      assert.equal(res.result.auditRetentionMaxMB, 500);
      assert.deepEqual(res.result.auditSyslog, []);
      assert.deepEqual(pageProblems(page), []);
    } finally {
      await served.stop();
      await siem.close();
    }
  });

  test('settings managed policy fixes are locked and name who manages them', async () => {
    const policy = managedPolicyFile('warden-e2e-managed-', {
      settings: { approvalTimeoutSeconds: 30, autoUpdate: false },
      audit: { syslog: [{ host: 'siem.example.com', port: 6514, protocol: 'tls', caFile: '/etc/warden/siem-ca.pem' }], minRetentionDays: 400 },
    });
    const served = await serve(() => [], { WARDEN_MANAGED_POLICY: policy.path });
    try {
      const page = await openUi(browser, served);
      await page.getByRole('link', { name: 'Settings' }).click();
      const updates = page.getByRole('checkbox', { name: /Check for updates/ });
      await updates.waitFor();
      assert.equal(await updates.isChecked(), false);
      assert.equal(await updates.isDisabled(), true);
      await page.getByRole('note').filter({ hasText: 'Turned off (new versions come from IT) by Example Corp IT (it-help@example.com)' }).waitFor();
      assert.equal(await page.getByRole('spinbutton', { name: /Wait for an answer/ }).isDisabled(), true);
      assert.equal(await page.getByRole('spinbutton', { name: /Wait for an answer/ }).inputValue(), '30');
      await page.getByRole('note').filter({ hasText: 'Receivers set by Example Corp IT' }).waitFor();
      await page.getByRole('list', { name: 'Syslog receivers' }).getByText('tls://siem.example.com:6514').waitFor();
      assert.equal(await page.getByRole('form', { name: 'Add a syslog receiver' }).count(), 0, 'no receivers can be added');
      assert.equal(await page.getByRole('button', { name: /^Remove / }).count(), 0);
      await page.getByRole('note').filter({ hasText: 'Minimum of 400 days set by Example Corp IT' }).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'settings-managed-light.png') });
      await page.locator('fieldset', { hasText: 'Audit log' }).screenshot({ path: join(SCREENSHOTS, 'settings-managed-audit-light.png') });
      // A retention under the minimum is refused with the reason.
      const retention = page.getByRole('spinbutton', { name: /Keep records for/ });
      await retention.fill('30');
      await page.keyboard.press('Tab');
      await page.getByRole('alert').filter({ hasText: /at least 400 days \(audit\.minRetentionDays\)/ }).waitFor();
      assert.equal(await retention.getAttribute('aria-invalid'), 'true', 'the field is marked, its text kept to fix');
      const kept = await page.evaluate(async () => {
        const res = await fetch('/api/settings.get', { method: 'POST', headers: { 'content-type': 'application/json', 'x-warden-session': sessionStorage.getItem('warden.session') ?? '' }, body: '{}' });
        return ((await res.json()) as { result: { auditRetentionDays: number } }).result.auditRetentionDays;
      });
      assert.equal(kept, 400, 'nothing under the minimum was saved');
      await retention.press('Escape');
      assert.equal(await retention.inputValue(), '400', 'Escape puts back the value in effect');
    } finally {
      await served.stop();
      policy.remove();
    }
  });
});
