// The Activity screen's API over a real audit log: pages, a call's records by id, the chart's counts,
// verify, and export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openAuditLog } from '../../../src-main/engine/audit/index.js';
import { auditHandlers, histogram } from '../../../src-main/engine/api/audit.js';
import { decisionKind } from '../../../shared/api/audit.js';
import { allow, deny, freshPaths, makeCall } from '../audit/kit.js';

test('decisions are counted as allowed by policy, approved by a person, denied, or cancelled by the client', () => {
  assert.equal(decisionKind({ effect: 'allow', approver: 'policy' }), 'allowed');
  assert.equal(decisionKind({ effect: 'allow', approver: 'user:ui' }), 'approved');
  assert.equal(decisionKind({ effect: 'deny', approver: 'user:ui' }), 'denied');
  assert.equal(decisionKind({ effect: 'deny', approver: 'timeout' }), 'denied');
  assert.equal(decisionKind({ effect: 'deny', approver: 'client' }), 'cancelled', 'a call the client cancelled while it waited was denied by nobody');
  const start = Date.parse('2026-01-01T00:00:00Z');
  const at = (min: number) => new Date(start + min * 60_000).toISOString();
  const h = histogram(
    [
      { time: at(0), effect: 'allow', approver: 'policy' },
      { time: at(1), effect: 'allow', approver: 'user:ui' },
      { time: at(59), effect: 'deny' },
      { time: at(2), effect: 'deny', approver: 'client' },
      { time: at(61), effect: 'deny' },
    ],
    start,
    start + 60 * 60_000,
    6,
  );
  assert.equal(h.bucketMs, 10 * 60_000);
  assert.deepEqual(h.buckets[0], { allowed: 1, approved: 1, denied: 0, cancelled: 1 });
  assert.deepEqual(h.buckets[5], { allowed: 0, approved: 0, denied: 1, cancelled: 0 }, 'a record past the end is not counted');
});

test('query, a call by id, histogram, verify and export over a real log', async () => {
  const { paths, cleanup } = await freshPaths();
  const log = await openAuditLog(paths);
  try {
    for (let i = 0; i < 30; i++) {
      const call = makeCall(i);
      const decision = i % 3 === 0 ? deny : i % 3 === 1 ? { ...allow, approver: 'user:ui', consentId: `c${i}` } : allow;
      await log.decided(call, decision);
      await log.finished(call, decision, { status: decision.effect === 'deny' ? 'denied' : 'ok', durationMs: 5 });
    }
    const api = auditHandlers(() => log);
    const page = await api['audit.query']({ order: 'newest', limit: 10 });
    assert.equal(page.records.length, 10);
    assert.ok(page.records[0]!.seq > page.records[9]!.seq, 'newest first');
    const next = await api['audit.query']({ order: 'newest', limit: 10, before: page.nextCursor });
    assert.ok(next.records[0]!.seq < page.records[9]!.seq);
    const call = await api['audit.query']({ order: 'newest', limit: 20, callId: 'call-1' });
    assert.deepEqual(call.records.map((r) => r.type).sort(), ['decision', 'outcome']);
    assert.ok(call.records.every((r) => r.callId === 'call-1'), 'call-10..19 are not mixed in');
    const h = await api['audit.histogram']({ buckets: 4, max: 20_000 });
    const sum = h.buckets.reduce((s, b) => ({ allowed: s.allowed + b.allowed, approved: s.approved + b.approved, denied: s.denied + b.denied, cancelled: s.cancelled + b.cancelled }), { allowed: 0, approved: 0, denied: 0, cancelled: 0 });
    assert.deepEqual(sum, { allowed: 10, approved: 10, denied: 10, cancelled: 0 });
    assert.equal(h.counted, 30);
    const verified = await api['audit.verify']({});
    assert.equal(verified.ok, true);
    assert.ok(verified.records >= 60);
    const csv = await api['audit.export']({ format: 'csv' });
    assert.ok(csv.records >= 60);
    assert.match(csv.filename, /^warden-audit-.*\.csv$/);
    assert.match(csv.content.split('\n')[0]!, /seq/);
    assert.ok(!csv.content.includes('/home/me/notes-'), 'argument values are not exported');
  } finally {
    await log.close();
    await cleanup();
  }
});

test('without an audit log the methods say so with a stable code', async () => {
  const api = auditHandlers(() => undefined);
  await assert.rejects(api['audit.verify']({}), (e: Error & { code?: string }) => e.code === 'not_found' && /audit log is not open/.test(e.message));
});
