import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApprovalBroker, type PendingRequest } from '../../../src-main/engine/approvals/broker.js';
import type { WaitingChannel } from '../../../src-main/engine/pipeline.js';

const req = (over: Partial<PendingRequest> = {}): PendingRequest => ({
  server: 'fs',
  tool: 'write_file',
  client: { id: 'cursor' },
  sessionId: 's1',
  arguments: { path: '/tmp/a', content: 'x' },
  risk: 'high',
  tier: 'standard',
  reasons: ['because'],
  flags: [],
  pinChanges: [],
  ...over,
});

function channel() {
  const messages: string[] = [];
  const ch: WaitingChannel = { progress: (m) => messages.push(m) };
  return { ch, messages };
}

const allow = { effect: 'allow' as const, ruleId: 'consent:c1', reasons: ['ok'] };

test('a waiting call is listed, and an answer resolves it and removes it', async () => {
  const changes: string[] = [];
  const b = new ApprovalBroker({ timeoutMs: () => 10_000, progressMs: () => 0, onChange: (c) => changes.push(c.type) });
  const { ch } = channel();
  const p = b.wait(req(), ch, new AbortController().signal);
  const [pending] = b.list();
  assert.equal(pending!.tool, 'write_file');
  assert.equal(pending!.waiting, 1);
  assert.ok(b.resolve(pending!.id, allow));
  assert.deepEqual(await p, { kind: 'answered', decision: allow });
  assert.deepEqual(b.list(), []);
  assert.equal(b.resolve(pending!.id, allow), false, 'a second answer finds nothing');
  assert.deepEqual(changes, ['added', 'resolved']);
});

test('no answer within the timeout: the call times out', async () => {
  const b = new ApprovalBroker({ timeoutMs: () => 50, progressMs: () => 0 });
  const out = await b.wait(req(), channel().ch, new AbortController().signal);
  assert.deepEqual(out, { kind: 'timeout', timeoutMs: 50 });
  assert.deepEqual(b.list(), []);
});

test('while a call waits its client gets progress messages', async () => {
  const b = new ApprovalBroker({ timeoutMs: () => 200, progressMs: () => 30 });
  const { ch, messages } = channel();
  await b.wait(req(), ch, new AbortController().signal);
  assert.ok(messages.length >= 3, `${messages.length} progress messages`);
  assert.match(messages[0]!, /Waiting for approval in Warden/);
});

test('the same call asked twice joins the first approval; one answer resolves both', async () => {
  const b = new ApprovalBroker({ timeoutMs: () => 10_000, progressMs: () => 0 });
  const p1 = b.wait(req(), channel().ch, new AbortController().signal);
  const p2 = b.wait(req(), channel().ch, new AbortController().signal);
  assert.equal(b.list().length, 1);
  assert.equal(b.list()[0]!.waiting, 2);
  b.resolve(b.list()[0]!.id, allow);
  assert.equal((await p1).kind, 'answered');
  assert.equal((await p2).kind, 'answered');
});

test('the same call from two sessions of one client gets two approvals: a session answer belongs to one', async () => {
  const b = new ApprovalBroker({ timeoutMs: () => 10_000, progressMs: () => 0 });
  const s1 = b.wait(req({ sessionId: 's1' }), channel().ch, new AbortController().signal);
  const s2 = b.wait(req({ sessionId: 's2' }), channel().ch, new AbortController().signal);
  assert.equal(b.list().length, 2);
  b.resolve(b.list().find((x) => x.sessionId === 's2')!.id, allow);
  assert.equal((await s2).kind, 'answered');
  assert.equal(b.list().length, 1, "the other session's call still waits");
  b.close('stopping');
  assert.equal((await s1).kind, 'closed');
});

test('several clients at once get separate approvals, answered independently', async () => {
  const b = new ApprovalBroker({ timeoutMs: () => 10_000, progressMs: () => 0 });
  const a = b.wait(req({ client: { id: 'cursor' } }), channel().ch, new AbortController().signal);
  const c = b.wait(req({ client: { id: 'claude' } }), channel().ch, new AbortController().signal);
  const ids = b.list().map((x) => x.id);
  assert.equal(new Set(ids).size, 2);
  b.resolve(b.list().find((x) => x.client.id === 'claude')!.id, allow);
  assert.equal((await c).kind, 'answered');
  assert.equal(b.list().length, 1);
  b.close('stopping');
  assert.deepEqual(await a, { kind: 'closed', reason: 'stopping' });
});

test('a client that cancels leaves; when the last waiter leaves the approval is withdrawn', async () => {
  const b = new ApprovalBroker({ timeoutMs: () => 10_000, progressMs: () => 0 });
  const c1 = new AbortController();
  const c2 = new AbortController();
  const p1 = b.wait(req(), channel().ch, c1.signal);
  const p2 = b.wait(req(), channel().ch, c2.signal);
  c1.abort();
  assert.deepEqual(await p1, { kind: 'cancelled' });
  assert.equal(b.list()[0]!.waiting, 1);
  c2.abort();
  assert.deepEqual(await p2, { kind: 'cancelled' });
  assert.deepEqual(b.list(), []);
});

test('the engine stopping denies every waiting call and every later one', async () => {
  const b = new ApprovalBroker({ timeoutMs: () => 10_000, progressMs: () => 0 });
  const waiting = [b.wait(req(), channel().ch, new AbortController().signal), b.wait(req({ tool: 'edit_file' }), channel().ch, new AbortController().signal)];
  b.close('Warden is stopping');
  for (const o of await Promise.all(waiting)) assert.equal(o.kind, 'closed');
  assert.equal((await b.wait(req(), channel().ch, new AbortController().signal)).kind, 'closed');
});

test('a channel that throws on progress does not break the wait', async () => {
  const b = new ApprovalBroker({ timeoutMs: () => 80, progressMs: () => 10 });
  const out = await b.wait(req(), { progress: () => { throw new Error('gone'); } }, new AbortController().signal);
  assert.equal(out.kind, 'timeout');
});

test('a held approval does not time out while a person looks at it; letting go resumes the countdown', async () => {
  const changes: string[] = [];
  const b = new ApprovalBroker({ timeoutMs: () => 60, progressMs: () => 0, onChange: (c) => changes.push(c.type) });
  const p = b.wait(req(), channel().ch, new AbortController().signal);
  const id = b.list()[0]!.id;
  assert.equal(b.hold(id, true)!.held, true);
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(b.list().length, 1, 'still waiting after its timeout, because it is held');
  const resumed = b.hold(id, false)!;
  assert.equal(resumed.held, false);
  assert.ok(Date.parse(resumed.expiresAt) - Date.now() >= 9_000, 'at least 10 seconds left after a hold');
  b.resolve(id, allow);
  assert.equal((await p).kind, 'answered');
  assert.deepEqual(changes, ['added', 'updated', 'updated', 'resolved']);
  assert.equal(b.hold(id, true), undefined);
});
