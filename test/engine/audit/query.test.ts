// The query API the Activity screen uses: filters, newest first, pagination, free text over metadata
// only, and reading while a writer appends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openAuditLog, openAuditReader } from '../../../src-main/engine/audit/index.js';
import { allow, deny, freshPaths, makeCall } from './kit.js';

async function seeded() {
  const { paths, cleanup } = await freshPaths();
  let now = Date.parse('2026-05-01T10:00:00Z');
  const log = await openAuditLog(paths, { now: () => now, maxSegmentBytes: 8192, capturePayloads: () => true });
  for (let i = 0; i < 120; i += 1) {
    now += 60_000;
    const call = makeCall(i, {
      client: i % 3 === 0 ? { id: 'client-b', name: 'Cursor', version: '0.9' } : { id: 'client-a', name: 'Claude Desktop' },
      server: i % 4 === 0 ? 'mail' : 'files',
      arguments: { note: i === 50 ? 'needle-in-payload' : 'x' },
    });
    const decision = i % 5 === 0 ? deny : allow;
    await log.decided(call, decision);
    await log.finished(call, decision, { status: decision.effect === 'deny' ? 'denied' : i % 7 === 0 ? 'error' : 'ok', durationMs: i });
  }
  await log.event('engine.stopped', { pid: 1 });
  return { paths, log, cleanup };
}

test('newest first, with pages that join up without gaps or repeats', async () => {
  const { log, cleanup } = await seeded();
  try {
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await log.query({ limit: 37, before });
      seen.push(...page.records.map((r) => r.seq));
      if (!page.nextCursor) break;
      before = page.nextCursor;
    }
    assert.equal(seen.length, 241);
    assert.deepEqual(seen, [...seen].sort((a, b) => b - a));
    assert.equal(new Set(seen).size, seen.length);
  } finally {
    await log.close();
    await cleanup();
  }
});

test('filters by client (id or claimed name), server, tool, effect, status, type and time', async () => {
  const { log, cleanup } = await seeded();
  try {
    const byName = await log.query({ client: 'Cursor', limit: 1000 });
    const byId = await log.query({ client: 'client-b', limit: 1000 });
    assert.equal(byName.records.length, 80);
    assert.deepEqual(byName.records.map((r) => r.seq), byId.records.map((r) => r.seq));
    const denied = await log.query({ effect: 'deny', type: 'decision', server: 'mail', limit: 1000 });
    assert.equal(denied.records.length, 6); // i % 20 === 0
    assert.ok(denied.records.every((r) => r.type === 'decision' && r.effect === 'deny' && r.server === 'mail'));
    const errors = await log.query({ status: 'error', limit: 1000 });
    assert.ok(errors.records.length > 0 && errors.records.every((r) => r.type === 'outcome' && r.status === 'error'));
    const tool = await log.query({ tool: 'read_file', type: 'outcome', limit: 1000 });
    assert.equal(tool.records.length, 60);
    const window = await log.query({ since: '2026-05-01T10:10:00Z', until: '2026-05-01T10:20:00Z', type: 'decision', limit: 1000 });
    assert.equal(window.records.length, 11);
    const events = await log.query({ event: 'engine.stopped' });
    assert.equal(events.records.length, 1);
    assert.equal((await log.query({ server: 'nope' })).records.length, 0);
  } finally {
    await log.close();
    await cleanup();
  }
});

test('free text searches metadata, not captured payloads', async () => {
  const { log, cleanup } = await seeded();
  try {
    const byCall = await log.query({ text: 'CALL-42"', limit: 10 });
    assert.deepEqual(byCall.records.map((r) => r.type).sort(), ['decision', 'outcome']);
    assert.equal((await log.query({ text: 'needle-in-payload' })).records.length, 0);
    const reason = await log.query({ text: 'outside the project', limit: 1000 });
    assert.equal(reason.records.length, 24);
    const paged = await log.query({ text: 'outside the project', limit: 10 });
    assert.equal(paged.records.length, 10);
    assert.ok(paged.nextCursor);
    const next = await log.query({ text: 'outside the project', limit: 100, before: paged.nextCursor });
    assert.equal(next.records.length, 14);
  } finally {
    await log.close();
    await cleanup();
  }
});

test('a separate reader (the CLI) sees every durable record while the writer keeps appending', async () => {
  const { paths, log, cleanup } = await seeded();
  try {
    const reader = openAuditReader(paths);
    const before = await reader.query({ limit: 1 });
    const writes = Promise.all(Array.from({ length: 300 }, (_, i) => log.decided(makeCall(1000 + i), allow)));
    const during = await reader.query({ limit: 1000 });
    await writes;
    const after = await reader.query({ limit: 1 });
    assert.ok(during.records.length >= 241);
    const oldest = await reader.query({ order: 'oldest', after: before.records[0]!.seq, limit: 1000 });
    // Besides the 300 decisions, only the carries of calls still running as the log rotated (writer.test.ts).
    const carries = oldest.records.filter((r) => r.type === 'event' && r.event === 'audit.calls-open').length;
    assert.equal(oldest.records.filter((r) => r.type === 'decision').length, 300);
    assert.equal(oldest.records.length, 300 + carries);
    assert.equal(after.records[0]!.seq, before.records[0]!.seq + 300 + carries);
    assert.deepEqual(oldest.records.map((r) => r.seq), [...oldest.records.map((r) => r.seq)].sort((a, b) => a - b));
    assert.equal((await reader.verify()).ok, true);
  } finally {
    await log.close();
    await cleanup();
  }
});

test("a call's records are found by its id through the index", async () => {
  const { log, cleanup } = await seeded();
  try {
    const page = await log.query({ callId: 'call-77' });
    assert.deepEqual(page.records.map((r) => r.type).sort(), ['decision', 'outcome']);
    assert.ok(page.records.every((r) => r.type !== 'event' && r.callId === 'call-77'));
    assert.equal((await log.query({ callId: 'call-7' })).records.length, 2, 'call-7 is not call-77');
    assert.equal((await log.query({ callId: 'nope' })).records.length, 0);
  } finally {
    await log.close();
    await cleanup();
  }
});

test('a segment edited by hand behind its index is re-read, not misread', async () => {
  const { paths, log, cleanup } = await seeded();
  try {
    await log.close();
    const { readdir, readFile, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const first = (await readdir(paths.audit)).filter((f) => f.endsWith('.jsonl')).sort()[0]!;
    const text = await readFile(join(paths.audit, first), 'utf8');
    // Make the second line longer: every offset after it moves.
    const lines = text.split('\n');
    lines[1] = lines[1]!.replace('"sessionId":"session-1"', '"sessionId":"session-1-with-a-much-longer-name"');
    await writeFile(join(paths.audit, first), lines.join('\n'));
    const reader = openAuditReader(paths);
    const page = await reader.query({ order: 'oldest', limit: 10 });
    assert.deepEqual(page.records.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal((await reader.verify()).firstBroken?.code, 'AUDIT_RECORD_EDITED');
  } finally {
    await cleanup();
  }
});

test('free text finds the same records in the engine and in readers that load the sidecars others left', async () => {
  const { paths, log, cleanup } = await seeded();
  try {
    const { AuditReader } = await import('../../../src-main/engine/audit/query.js');
    await new AuditReader(paths.audit).query({ text: 'no such text' }); // leaves the sealed segments' sidecars
    const later = new AuditReader(paths.audit);
    for (const text of ['outside the project', 'CALL-42"', 'cursor', 'needle-in-payload', 'ab', 'b2']) {
      const a = await later.query({ text, limit: 1000 });
      const b = await log.query({ text, limit: 1000 });
      assert.deepEqual(a.records.map((r) => r.seq), b.records.map((r) => r.seq), text);
    }
    assert.equal((await later.query({ text: 'cursor', limit: 1000 })).records.length, 80);
  } finally {
    await log.close();
    await cleanup();
  }
});
