// What the tray and the notifications say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApprovalView } from '../../shared/policy.js';
import { notificationFor, trayTitle, trayTooltip } from '../../src-main/electron/presenting.js';

const approval: ApprovalView = {
  id: 'a1',
  server: 'filesystem',
  tool: 'write_file',
  client: { id: 'cursor', name: 'Cursor', version: '1.0' },
  sessionId: 's1',
  arguments: { path: '/tmp/x', content: 'secret' },
  risk: 'medium',
  tier: 'standard',
  reasons: ['writes'],
  flags: [],
  pinChanges: [],
  createdAt: new Date(0).toISOString(),
  expiresAt: new Date(45_000).toISOString(),
  waiting: 1,
};

test('the tray shows how many calls wait', () => {
  assert.equal(trayTooltip(0), 'Warden: nothing waiting');
  assert.equal(trayTooltip(1), 'Warden: 1 call waiting for you');
  assert.equal(trayTooltip(3), 'Warden: 3 calls waiting for you');
  assert.equal(trayTitle(0), '');
  assert.equal(trayTitle(12), '12');
});

test('a notification names the server, the tool, the client and the risk, never the argument values', () => {
  const n = notificationFor(approval);
  assert.equal(n.title, 'filesystem: write_file waits for you');
  assert.match(n.body, /^Cursor \(cursor\) asks to run write_file \(risk medium\)/, "the name the client claimed beside the id its token proves");
  assert.doesNotMatch(n.title + n.body, /secret|\/tmp\/x/);
  const changed = notificationFor({ ...approval, pinChanges: [{ field: 'description', summary: 'changed', before: 'a', after: 'b' }] });
  assert.match(changed.body, /definition changed/);
});
