// The app end to end, in Chromium, against a real `warden serve` with real servers and a real MCP
// client: a sensitive call waits as a card; Allow lets it finish with the server's real result; Deny
// returns isError; the Activity view shows both with their decision path; the same keyboard-only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { servers } from '../helpers/engine.js';
import { launchBrowser, openUi, pageProblems, serve, type Served } from './kit.js';

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }> };
const text = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('\n');

describe('approving and denying calls in the browser UI', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let client: Client;
  let box: string;

  before(async () => {
    served = await serve((dir) => [servers.filesystem(join(dir, 'box'))]);
    box = join(served.dir, 'box');
    browser = await launchBrowser();
    page = await openUi(browser, served);
    client = await served.client('filesystem', 'Cursor');
    await client.listTools();
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
  });

  const write = (name: string) => client.callTool({ name: 'write_file', arguments: { path: join(box, name), content: `hello ${name}` } }) as Promise<ToolResult>;
  const card = (name: string) => page.locator('article[data-approval-id]', { hasText: join(box, name) });

  test('a sensitive call waits as a card; Allow lets it finish with the real result', async () => {
    await page.goto(`${served.baseUrl}/ui/#/approvals`);
    await page.getByRole('heading', { name: 'Nothing waits for you' }).waitFor();
    const call = write('allowed.txt');
    const waiting = card('allowed.txt');
    await waiting.waitFor();
    assert.match(await waiting.getByRole('heading', { level: 2 }).innerText(), /filesystem wants to run write_file/);
    assert.match(await waiting.innerText(), /Asked by Cursor/);
    assert.match(await waiting.innerText(), /risk\s*(medium|high)/);
    assert.equal(await page.getByRole('link', { name: /Approvals/ }).getByText('1').count(), 1, 'the navigation counts the waiting call');
    assert.ok(!existsSync(join(box, 'allowed.txt')), 'nothing is written while the call waits');
    await waiting.getByRole('button', { name: /^Allow once/ }).click();
    const result = await call;
    assert.notEqual(result.isError, true, text(result));
    assert.match(text(result), /Successfully wrote to .*allowed\.txt/);
    assert.equal(readFileSync(join(box, 'allowed.txt'), 'utf8'), 'hello allowed.txt');
    await page.getByRole('heading', { name: 'Nothing waits for you' }).waitFor();
  });

  test('Deny returns isError with a reason, and the file is not written', async () => {
    const call = write('denied.txt');
    const waiting = card('denied.txt');
    await waiting.waitFor();
    await waiting.getByRole('button', { name: /^Deny/ }).click();
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(text(result), /denied/i);
    assert.ok(!existsSync(join(box, 'denied.txt')));
  });

  test('newest on top: two waiting calls show the later one first', async () => {
    const first = write('first.txt');
    await card('first.txt').waitFor();
    const second = write('second.txt');
    await card('second.txt').waitFor();
    const order = await page.locator('article[data-approval-id] h2').allInnerTexts();
    assert.equal(order.length, 2);
    const labels = await page.locator('article[data-approval-id] pre').allInnerTexts();
    assert.match(labels[0]!, /second\.txt/);
    assert.match(labels[1]!, /first\.txt/);
    await card('second.txt').getByRole('button', { name: /^Deny/ }).click();
    await card('first.txt').getByRole('button', { name: /^Deny/ }).click();
    assert.equal((await second).isError, true);
    assert.equal((await first).isError, true);
  });

  test('the Activity view shows the allowed and the denied call with their decision path', async () => {
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('searchbox', { name: 'Search records' }).fill('write_file');
    const grid = page.getByRole('grid', { name: 'Audit records' });
    const approvedRow = grid.getByRole('row').filter({ hasText: 'approved' }).filter({ hasText: 'decision' }).first();
    await approvedRow.waitFor();
    await approvedRow.click();
    const drawer = page.getByRole('dialog', { name: /filesystem · write_file/ });
    await drawer.waitFor();
    const path = drawer.getByRole('list', { name: 'Decision path' });
    await path.getByText(/^ok$/).waitFor();
    const steps = await path.innerText();
    assert.match(steps, /Client[\s\S]*Cursor/i);
    assert.match(steps, /Consent[\s\S]*c[0-9a-z]+ answered by you, via ui/i);
    assert.match(steps, /Call[\s\S]*filesystem · write_file[\s\S]*arguments: content, path/i);
    assert.match(steps, /Rule[\s\S]*allow/i);
    assert.match(steps, /Outcome[\s\S]*ok/i);
    await drawer.getByRole('button', { name: 'Close details' }).click();

    const deniedRow = grid.getByRole('row').filter({ hasText: 'denied' }).filter({ hasText: 'decision' }).first();
    await deniedRow.click();
    const deniedPath = page.getByRole('dialog').getByRole('list', { name: 'Decision path' });
    await deniedPath.getByText('Outcome').waitFor();
    const deniedSteps = await deniedPath.innerText();
    assert.match(deniedSteps, /Rule[\s\S]*deny/i);
    assert.match(deniedSteps, /Consent[\s\S]*answered by you, via ui/i);
    assert.match(deniedSteps, /Outcome[\s\S]*denied/i);
    await page.keyboard.press('Escape');
  });

  test('a call that arrives while an answer is on its way stays on screen', async () => {
    await page.goto(`${served.baseUrl}/ui/#/approvals`);
    await page.getByRole('heading', { name: 'Nothing waits for you' }).waitFor();
    const first = write('race-first.txt');
    await card('race-first.txt').waitFor();
    // The engine takes the answer at once; its reply to the browser is held until the next call waits.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Only the first answer is held: the later Deny goes straight through, so no handler of ours is
    // still running when the route is removed (which Playwright then reports as handled twice).
    await page.route(
      '**/api/approvals.answer',
      async (route) => {
        const response = await route.fetch();
        await held;
        await route.fulfill({ response });
      },
      { times: 1 },
    );
    try {
      await card('race-first.txt').getByRole('button', { name: /^Allow once/ }).click();
      assert.notEqual((await first).isError, true);
      const second = write('race-second.txt');
      await card('race-second.txt').waitFor();
      release();
      await page.getByRole('status').filter({ hasText: 'Allow once: write_file on filesystem' }).waitFor({ state: 'attached' });
      await card('race-first.txt').waitFor({ state: 'detached' });
      assert.equal(await card('race-second.txt').count(), 1, 'the card that came meanwhile is still there');
      await card('race-second.txt').getByRole('button', { name: /^Deny/ }).click();
      assert.equal((await second).isError, true);
    } finally {
      release();
      await page.unroute('**/api/approvals.answer');
    }
  });

  test('keyboard only: a allows, d denies, and the record opens with Enter', async () => {
    await page.goto(`${served.baseUrl}/ui/#/approvals`);
    await page.getByRole('heading', { name: 'Nothing waits for you' }).waitFor();
    await page.locator('body').focus();
    const allowed = write('keys-allowed.txt');
    await card('keys-allowed.txt').waitFor();
    await page.keyboard.press('a');
    assert.notEqual((await allowed).isError, true);
    assert.ok(existsSync(join(box, 'keys-allowed.txt')));
    const focusedTag = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { tagName: string; getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('aria-label') ?? '');
    await page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('aria-label') === 'Waiting calls');
    assert.equal(await focusedTag(), 'Waiting calls', 'focus stays in the list, not on the page body');
    const denied = write('keys-denied.txt');
    await card('keys-denied.txt').waitFor();
    await page.keyboard.press('d');
    assert.equal((await denied).isError, true);
    assert.ok(!existsSync(join(box, 'keys-denied.txt')));

    // To the Activity screen and into a record without the mouse.
    const focusedName = () =>
      page.evaluate(() => {
        const el = (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null; textContent: string | null } | null } }).document.activeElement;
        return (el?.getAttribute('aria-label') ?? el?.textContent ?? '').trim();
      });
    for (let i = 0; i < 20 && !(await focusedName()).startsWith('Activity'); i++) await page.keyboard.press('Tab');
    assert.match(await focusedName(), /^Activity/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    await page.getByRole('grid', { name: 'Audit records' }).getByRole('row').nth(1).waitFor();
    for (let i = 0; i < 30 && !(await focusedName()).startsWith('Records, newest first'); i++) await page.keyboard.press('Tab');
    assert.match(await focusedName(), /^Records, newest first/);
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: /Record \d+/ });
    await drawer.waitFor();
    assert.ok(await drawer.evaluate((el) => el.contains((el.ownerDocument as { activeElement: unknown }).activeElement as never)), 'focus moves into the details');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    assert.match(await focusedName(), /^Records, newest first/, 'focus goes back to the records it was opened from, not to the page body');
  });

  test('answers that still hold are listed, and taking one back makes the next call ask again', { timeout: 60_000 }, async () => {
    await page.goto(`${served.baseUrl}/ui/#/approvals`);
    await page.getByRole('heading', { name: 'Nothing waits for you' }).waitFor();
    const mkdir = (name: string) => client.callTool({ name: 'create_directory', arguments: { path: join(box, name) } }) as Promise<ToolResult>;
    const standing = page.getByRole('table', { name: 'Standing rules' });

    const first = mkdir('never');
    await card('never').waitFor();
    await card('never').getByRole('button', { name: /^Always deny/ }).click();
    assert.equal((await first).isError, true);
    const row = standing.getByRole('row', { name: /filesystem\/create_directory/ });
    await row.waitFor();
    assert.match(await row.innerText(), /deny[\s\S]*every call[\s\S]*your “always” answer/);
    const again = await mkdir('never-again');
    assert.equal(again.isError, true, 'denied at once by the standing rule');
    assert.match(text(again), /Approvals → Answers that still hold/, 'the model is told where the person can undo it');

    await row.getByRole('button', { name: /^Remove rule/ }).click();
    await row.waitFor({ state: 'detached' });
    const asked = mkdir('asked');
    await card('asked').waitFor();
    await card('asked').getByRole('button', { name: /^Allow for this session/ }).click();
    assert.notEqual((await asked).isError, true);
    const limited = page.getByRole('table', { name: 'Time-limited and session answers' }).getByRole('row', { name: /filesystem\/create_directory/ });
    await limited.waitFor();
    assert.match(await limited.innerText(), /this session/);
    await limited.getByRole('button', { name: /^Revoke/ }).click();
    await limited.waitFor({ state: 'detached' });
    const next = mkdir('asked-again');
    await card('asked-again').waitFor();
    await card('asked-again').getByRole('button', { name: /^Deny/ }).click();
    assert.equal((await next).isError, true);
    await page.getByText('None: every call is decided').waitFor();
  });

  test('the page raised no script errors', () => {
    assert.deepEqual(pageProblems(page), []);
  });
});
