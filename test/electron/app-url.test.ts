// The desktop window's origin rules: only our own page may call the engine or be navigated to, and the
// scheme handler serves nothing outside the renderer folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, sep } from 'node:path';
import { APP_INDEX_URL, fileForAppUrl, isAllowedNavigation, isOwnPage } from '../../src-main/electron/app-url.js';

const dir = resolve('/opt/warden/dist/renderer');

test('our page, with any hash route, is ours; nothing else is', () => {
  assert.equal(isOwnPage(APP_INDEX_URL), true);
  assert.equal(isOwnPage(`${APP_INDEX_URL}#/approvals/a1`), true);
  for (const url of ['https://example.com/', 'file:///opt/warden/dist/renderer/index.html', 'warden://evil/index.html', 'warden://ui/other.html', 'http://127.0.0.1:9/ui/', 'not a url', '']) {
    assert.equal(isOwnPage(url), false, url);
    assert.equal(isAllowedNavigation(url), false, url);
  }
});

test('warden://ui/ maps to files inside the renderer folder only', () => {
  assert.equal(fileForAppUrl('warden://ui/index.html', dir), join(dir, 'index.html'));
  assert.equal(fileForAppUrl('warden://ui/', dir), join(dir, 'index.html'));
  assert.equal(fileForAppUrl('warden://ui/assets/index-abc.js?x=1', dir), join(dir, 'assets', 'index-abc.js'));
  // The URL parser already folds plain `..`; what is left must stay inside the folder.
  for (const url of ['warden://ui/../../etc/passwd', 'warden://ui/%2e%2e/%2e%2e/etc/passwd']) {
    const file = fileForAppUrl(url, dir);
    assert.ok(file === undefined || file.startsWith(dir + sep), `${url} -> ${file}`);
  }
  for (const url of ['warden://ui/..%2f..%2fsecret', 'warden://ui/%2e%2e%2f%2e%2e%2fsecret', 'warden://other/index.html', 'file:///etc/passwd', 'warden://ui/%00']) {
    assert.equal(fileForAppUrl(url, dir), undefined, url);
  }
});
