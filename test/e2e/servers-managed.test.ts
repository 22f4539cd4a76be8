// The Servers & tools screen under a managed policy: a server whose tier IT fixes shows the lock and
// who manages it, and its tier cannot be changed there (nor through the API the screen uses); a server
// IT forbids (here by the package it runs) shows as blocked by IT with the reason; a server the policy
// says nothing about keeps its controls. A real `warden serve` with the policy file, light and dark.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { servers } from '../helpers/engine.js';
import { launchBrowser, managedPolicyFile, openUi, pageProblems, SCREENSHOTS, serve, type Served } from './kit.js';

const WHO = 'Example Corp IT (it-help@example.com)';


describe('the Servers & tools screen under a managed policy', () => {
  let browser: Browser;
  let served: Served;
  let page: Page;
  let policy: { path: string; remove(): void };

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    policy = managedPolicyFile('warden-e2e-managed-servers-', {
      servers: { knowledge: { tier: 'restricted', reason: 'holds customer notes' } },
      rules: [{ id: 'no-deletes', effect: 'deny', server: 'knowledge', tool: 'delete_*', reason: 'customer notes are kept' }],
      forbid: { packages: ['@modelcontextprotocol/server-everything'] },
    });
    // The servers were configured before IT placed the policy (the test process sees no managed file).
    served = await serve((dir) => [servers.memory('knowledge'), servers.everything('playground'), servers.memory('notes')], { WARDEN_MANAGED_POLICY: policy.path });
    browser = await launchBrowser();
    // The launch link works once: one page for the whole file, its colour scheme switched per test.
    page = await openUi(browser, served);
  });
  after(async () => {
    await browser?.close();
    await served?.stop();
    policy?.remove();
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`a fixed tier and a forbidden server are locked and name who manages them (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.getByRole('link', { name: 'Servers & tools' }).click();
      const knowledge = page.getByRole('region', { name: 'Server knowledge' });
      const playground = page.getByRole('region', { name: 'Server playground' });
      const notes = page.getByRole('region', { name: 'Server notes' });
      await notes.waitFor();

      // The fixed tier: shown, locked, with who fixed it.
      const tier = knowledge.getByRole('combobox', { name: 'Tier of knowledge' });
      await knowledge.getByRole('note').filter({ hasText: `Tier fixed at restricted by ${WHO}` }).waitFor();
      assert.equal(await tier.inputValue(), 'restricted');
      assert.equal(await tier.isDisabled(), true);

      // The forbidden server: blocked by IT, with the reason, instead of its state.
      await playground.getByText('blocked by IT', { exact: true }).waitFor();
      await playground.getByRole('note').filter({ hasText: `Blocked by ${WHO}` }).waitFor();
      await playground.getByText(/runs the package `@modelcontextprotocol\/server-everything`, which matches forbid\.packages/).waitFor();

      // A server the policy says nothing about keeps its controls and shows no lock.
      assert.equal(await notes.getByRole('combobox', { name: 'Tier of notes' }).isDisabled(), false);
      assert.equal(await notes.getByRole('note').count(), 0);

      await page.screenshot({ path: join(SCREENSHOTS, `servers-managed-${scheme}.png`), fullPage: true });
      assert.deepEqual(pageProblems(page), []);
    });
  }

  test("a tool a managed rule decides shows the lock and who set the rule in the server's tool list", async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    const client = await served.client('knowledge');
    await client.listTools();
    await page.getByRole('link', { name: 'Servers & tools' }).click();
    await page.getByRole('button', { name: 'Show tools and stderr of knowledge' }).click();
    const tools = page.getByRole('table', { name: 'Tools of knowledge' });
    const denied = tools.getByRole('row').filter({ has: page.getByText('delete_entities', { exact: true }) });
    await denied.getByRole('img', { name: 'Decided by managed policy rule no-deletes (set by Example Corp IT)' }).waitFor();
    assert.equal(await denied.locator('.pill.deny').textContent(), 'deny');
    await page
      .getByRole('region', { name: 'Server knowledge' })
      .getByRole('note')
      .filter({ hasText: `Calls marked with a lock are decided by managed policy rule no-deletes, set by ${WHO}` })
      .waitFor();
    // A tool no managed rule decides has no lock.
    const read = tools.getByRole('row').filter({ has: page.getByText('read_graph', { exact: true }) });
    assert.equal(await read.getByRole('img').count(), 0);
    await page.getByRole('region', { name: 'Server knowledge' }).screenshot({ path: join(SCREENSHOTS, 'servers-managed-rule-light.png') });
    await page.getByRole('button', { name: 'Show tools and stderr of knowledge' }).click();
    assert.deepEqual(pageProblems(page), []);
  });

  test('changing the fixed tier through the API the screen uses is refused with the reason, and the tier stays', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    const answer = await page.evaluate(async () => {
      const res = await fetch('/api/policy.setTier', { method: 'POST', headers: { 'content-type': 'application/json', 'x-warden-session': sessionStorage.getItem('warden.session') ?? '' }, body: JSON.stringify({ server: 'knowledge', tier: 'trusted' }) });
      return { status: res.status, body: (await res.json()) as { code?: string; message?: string } };
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.code, 'locked', JSON.stringify(answer));
    assert.match(answer.body.message ?? '', /fixed at restricted.*Example Corp IT.*it-help@example\.com/s);
    // An unlocked server's tier does change from the screen.
    await page.getByRole('link', { name: 'Servers & tools' }).click();
    await page.getByRole('combobox', { name: 'Tier of notes' }).selectOption('trusted');
    await page.waitForFunction(async () => {
      const res = await fetch('/api/servers.list', { method: 'POST', headers: { 'content-type': 'application/json', 'x-warden-session': sessionStorage.getItem('warden.session') ?? '' }, body: '{}' });
      const list = ((await res.json()) as { result: { config: { name: string; tier: string } }[] }).result;
      return list.find((s) => s.config.name === 'notes')?.config.tier === 'trusted' && list.find((s) => s.config.name === 'knowledge')?.config.tier === 'restricted';
    });
    assert.equal(await page.getByRole('combobox', { name: 'Tier of knowledge' }).inputValue(), 'restricted');
    assert.deepEqual(pageProblems(page), []);
  });

  test('a call to the server fixed at restricted waits as a card without "Always allow", says why, and Allow once lets it through', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    const client = await served.client('knowledge');
    await page.getByRole('link', { name: /Approvals/ }).click();
    const call = client.callTool({ name: 'read_graph', arguments: {} });
    const card = page.locator('article[data-approval-id]', { hasText: 'read_graph' });
    await card.waitFor();
    const answers = card.getByRole('group', { name: 'Answer for read_graph' });
    await answers.getByRole('button', { name: /^Allow once/ }).waitFor();
    assert.equal(await answers.getByRole('button', { name: /^Always allow/ }).count(), 0, 'no "Always allow", with or without a condition');
    assert.equal(await card.getByRole('button', { name: /Always allow with a condition/ }).count(), 0);
    assert.equal(await answers.getByRole('button', { name: /^Always deny/ }).count(), 1, 'the other answers stay');
    await card.getByRole('note').filter({ hasText: 'No “Always allow” here: Managed policy (set by Example Corp IT) fixes `knowledge` at restricted: every call to it asks a person.' }).waitFor();
    await card.screenshot({ path: join(SCREENSHOTS, 'approval-managed-restricted-light.png') });
    await card.click();
    await page.keyboard.press('Shift+A'); // the shortcut is gone with the button
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await card.count(), 1, 'the card still waits');
    await answers.getByRole('button', { name: /^Allow once/ }).click();
    const result = (await call) as { isError?: boolean };
    assert.notEqual(result.isError, true);
    await page.getByRole('link', { name: 'Servers & tools' }).click();
    assert.deepEqual(pageProblems(page), []);
  });

  test('a managed policy file broken while the screen is open locks every server and says why, without a reload', async () => {
    writeFileSync(policy.path, '{"version": 1, "servers": {"knowledge": {"tier": "bogus"}}}');
    const notes = page.getByRole('region', { name: 'Server notes' });
    await notes.getByText('blocked by IT', { exact: true }).waitFor({ timeout: 15_000 });
    await notes.getByRole('note').filter({ hasText: 'Blocked by your organisation' }).waitFor();
    // The file's problem is said once, above the list.
    await page.getByRole('alert').filter({ hasText: /managed-policy\.json is not valid: line 1: servers\.knowledge\.tier/ }).waitFor();
    assert.equal(await page.getByText(/managed-policy\.json is not valid/).count(), 1);
    for (const name of ['knowledge', 'playground', 'notes']) {
      assert.equal(await page.getByRole('combobox', { name: `Tier of ${name}` }).isDisabled(), true, name);
      assert.equal(await page.getByRole('checkbox', { name: `Capture payloads of ${name}` }).isDisabled(), true, name);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'servers-managed-broken-light.png'), fullPage: true });
    assert.deepEqual(pageProblems(page), []);
  });
});
