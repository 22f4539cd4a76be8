// The audit point's promises: a record is acknowledged only once durable, none lost or doubled under
// concurrency, a failed write refuses the call and the log carries on, rotation and retention keep the
// chain whole, a torn tail is repaired and said so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nodeAuditFs, type AuditFs } from '../../../src-main/engine/audit/audit-fs.js';
import { openAuditLog, type AuditLog, type AuditRecord } from '../../../src-main/engine/audit/index.js';
import { verifyAuditDir } from '../../../src-main/engine/audit/verify.js';
import { allow, deny, freshPaths, makeCall } from './kit.js';

const segmentNames = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();

/** Short calls (each decided and finished) until the log has `count` segments. */
async function rotateUntil(log: AuditLog, dir: string, count: number): Promise<void> {
  for (let i = 10; (await segmentNames(dir)).length < count; i += 1) {
    await log.decided(makeCall(i), allow);
    await log.finished(makeCall(i), allow, { status: 'ok', durationMs: 1 });
  }
}

async function allRecords(dir: string): Promise<AuditRecord[]> {
  const names = await segmentNames(dir);
  const out: AuditRecord[] = [];
  for (const name of names) {
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) if (line) out.push(JSON.parse(line));
  }
  return out;
}

test('concurrent calls: one decision and one outcome record per call, none lost, none doubled', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const log = await openAuditLog(paths, { maxSegmentBytes: 64 * 1024 });
    const calls = Array.from({ length: 2000 }, (_, i) => makeCall(i));
    await Promise.all(
      calls.map(async (call) => {
        await log.decided(call, allow);
        await log.finished(call, allow, { status: 'ok', durationMs: 3 });
      }),
    );
    await log.close();
    const records = (await allRecords(paths.audit)).filter((r) => r.type !== 'event');
    assert.equal(records.length, 4000);
    for (const type of ['decision', 'outcome'] as const) {
      const ids = records.filter((r) => r.type === type).map((r) => (r as { callId: string }).callId);
      assert.equal(new Set(ids).size, 2000, `${type}: every call exactly once`);
    }
    const seqs = records.map((r) => r.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    const report = await verifyAuditDir(paths.audit);
    assert.equal(report.ok, true, JSON.stringify(report.firstBroken));
    assert.ok(report.segments > 5, 'the burst was rotated into several segments');
  } finally {
    await cleanup();
  }
});

test('records hold metadata (who, what, decision, digest) and never argument values by default', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const log = await openAuditLog(paths);
    const call = makeCall(1, { arguments: { path: '/secret/plans.txt', content: 'CANARY-4711' } });
    await log.decided(call, { ...deny, consentId: 'c9', status: 'denied' });
    await log.finished(call, deny, { status: 'denied', durationMs: 12.4, errorMessage: 'CANARY-4711 echoed', result: { text: 'CANARY-4711' } });
    await log.close();
    const text = (await readdir(paths.audit)).map((f) => f);
    const raw = (await Promise.all(text.map((f) => readFile(join(paths.audit, f), 'latin1')))).join('');
    assert.ok(!raw.includes('CANARY-4711'), 'argument and result values stay out of the log');
    assert.ok(!raw.includes('/secret/plans.txt'));
    const [decision, outcome] = (await allRecords(paths.audit)).filter((r) => r.type !== 'event');
    assert.equal(decision!.type, 'decision');
    if (decision!.type !== 'decision' || outcome!.type !== 'outcome') throw new Error('types');
    assert.deepEqual(decision.client, { id: 'client-a', name: 'Claude Desktop', version: '1.2.3' });
    assert.equal(decision.server, 'files');
    assert.equal(decision.tool, 'write_file');
    assert.equal(decision.effect, 'deny');
    assert.equal(decision.ruleId, 'rule:r7');
    assert.equal(decision.consentId, 'c9');
    assert.equal(decision.approver, 'policy');
    assert.equal(decision.status, 'denied');
    assert.deepEqual(decision.reasons, deny.reasons);
    assert.deepEqual(decision.argNames, ['content', 'path']);
    assert.match(decision.argDigest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(outcome.status, 'denied');
    assert.equal(outcome.durationMs, 12);
    assert.equal(outcome.callId, decision.callId);
    assert.equal(outcome.result, undefined);
    assert.equal(outcome.error, undefined);
  } finally {
    await cleanup();
  }
});

test('with capture on for a server, payloads are kept with secrets redacted; other servers stay metadata-only', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const log = await openAuditLog(paths, { capturePayloads: (server) => server === 'files' });
    const secret = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
    const captured = makeCall(1, { arguments: { note: `CANARY-1 uses ${secret}`, password: 'hunter2' } });
    const other = makeCall(2, { server: 'mail', arguments: { note: 'CANARY-2' } });
    await log.decided(captured, allow);
    await log.finished(captured, allow, { status: 'ok', durationMs: 1, result: { content: [{ type: 'text', text: `Bearer ${secret}` }] } });
    await log.decided(other, allow);
    await log.close();
    const raw = (await allRecords(paths.audit)).map((r) => JSON.stringify(r)).join('\n');
    assert.ok(raw.includes('CANARY-1'));
    assert.ok(!raw.includes('CANARY-2'));
    assert.ok(!raw.includes(secret));
    assert.ok(!raw.includes('hunter2'));
    const decision = (await allRecords(paths.audit)).find((r) => r.type === 'decision') as { args: Record<string, string> };
    assert.equal(decision.args.password, '[REDACTED]');
  } finally {
    await cleanup();
  }
});

/** The real filesystem, except that writes to segments fail with `code` while `failing()` says so. */
function failingFs(code: string, failing: () => boolean): AuditFs {
  return {
    ...nodeAuditFs,
    async openAppend(path) {
      const real = await nodeAuditFs.openAppend(path);
      return {
        ...real,
        write(data) {
          if (failing()) {
            // A short write first, as a filling disk does, then the error.
            real.write(data.subarray(0, Math.floor(data.length / 2)));
            throw Object.assign(new Error(`${code}: simulated`), { code });
          }
          real.write(data);
        },
      };
    },
  };
}

test('a write that fails (disk full) rejects decided(), leaves no partial record, and the log recovers', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    let full = false;
    const log = await openAuditLog(paths, { fs: failingFs('ENOSPC', () => full) });
    await log.decided(makeCall(1), allow);
    full = true;
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => log.decided(makeCall(100 + i), allow)));
    assert.ok(results.every((r) => r.status === 'rejected'), 'no call may go through unrecorded');
    const reason = (results[0] as PromiseRejectedResult).reason as Error & { code: string };
    assert.equal(reason.code, 'AUDIT_WRITE_FAILED');
    assert.match(reason.message, /ENOSPC/);
    full = false;
    await log.decided(makeCall(2), allow);
    await log.close();
    const calls = (await allRecords(paths.audit)).filter((r) => r.type === 'decision').map((r) => (r as { callId: string }).callId);
    assert.deepEqual(calls, ['call-1', 'call-2']);
    assert.equal((await verifyAuditDir(paths.audit)).ok, true);
  } finally {
    await cleanup();
  }
});

test('a permission error on a new segment rejects decided() too', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const fs: AuditFs = { ...nodeAuditFs, openAppend: async () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })) };
    const log = await openAuditLog(paths, { fs });
    await assert.rejects(log.decided(makeCall(1), allow), (error: Error & { code: string }) => error.code === 'AUDIT_WRITE_FAILED' && /EACCES/.test(error.message));
    await log.close();
  } finally {
    await cleanup();
  }
});

test('a real write error from the kernel (a segment that cannot be written) rejects decided()', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    // /dev/full answers every write with ENOSPC: a genuinely full device, no simulation in the writer.
    const fs: AuditFs = { ...nodeAuditFs, openAppend: (path) => nodeAuditFs.openAppend(path.endsWith('.jsonl') ? '/dev/full' : path) };
    const log = await openAuditLog(paths, { fs });
    await assert.rejects(log.decided(makeCall(1), allow), (error: Error & { code: string }) => error.code === 'AUDIT_WRITE_FAILED' && /ENOSPC/.test(error.message));
    await log.close();
  } finally {
    await cleanup();
  }
});

test('rotation by UTC day starts a new segment and the chain runs on across it', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    let now = Date.parse('2026-03-01T23:59:58Z');
    const log = await openAuditLog(paths, { now: () => now });
    await log.decided(makeCall(1), allow);
    now = Date.parse('2026-03-02T00:00:01Z');
    await log.decided(makeCall(2), allow);
    await log.close();
    const names = (await readdir(paths.audit)).filter((f) => f.endsWith('.jsonl')).sort();
    assert.deepEqual(names, ['audit-000000000001-20260301.jsonl', 'audit-000000000002-20260302.jsonl']);
    assert.equal((await verifyAuditDir(paths.audit)).ok, true);
  } finally {
    await cleanup();
  }
});

test('retention removes old segments, says so in the log, and the log still verifies', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    let now = Date.parse('2026-01-01T12:00:00Z');
    let log = await openAuditLog(paths, { now: () => now, retentionDays: 30 });
    for (let day = 0; day < 5; day += 1) {
      now = Date.parse('2026-01-01T12:00:00Z') + day * 86_400_000;
      await log.decided(makeCall(day), allow);
    }
    await log.close();
    now = Date.parse('2026-02-03T12:00:00Z'); // cutoff Jan 4: the segments of Jan 1 and 2 hold only older records
    log = await openAuditLog(paths, { now: () => now, retentionDays: 30 });
    await log.decided(makeCall(99), allow);
    await log.close();
    const names = (await readdir(paths.audit)).filter((f) => f.endsWith('.jsonl')).sort();
    assert.ok(!names.some((n) => n.includes('20260101') || n.includes('20260102')), names.join(','));
    const report = await verifyAuditDir(paths.audit);
    assert.equal(report.ok, true, JSON.stringify(report.firstBroken));
    assert.ok(report.notes.some((n) => /removed by retention/.test(n)));
    const retention = (await allRecords(paths.audit)).find((r) => r.type === 'event' && r.event === 'audit.retention');
    assert.ok(retention, 'an audit.retention record says what was removed');
  } finally {
    await cleanup();
  }
});

test('a torn tail (half a record) is cut on open, reported to the caller and on record', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    let log = await openAuditLog(paths);
    await log.decided(makeCall(1), allow);
    await log.decided(makeCall(2), allow);
    await log.close();
    const [segment] = (await readdir(paths.audit)).filter((f) => f.endsWith('.jsonl'));
    await appendFile(join(paths.audit, segment!), '{"seq":3,"prev":"abc","time":"2026-');
    const torn = await verifyAuditDir(paths.audit);
    assert.equal(torn.ok, true, 'an unacknowledged torn tail is not tampering');
    assert.ok(torn.notes.some((n) => /incomplete record/.test(n)));
    log = await openAuditLog(paths);
    assert.equal(log.repair?.afterSeq, 2);
    assert.equal(log.repair?.segment, segment);
    assert.ok((log.repair?.bytesRemoved ?? 0) > 10);
    await log.decided(makeCall(3), allow);
    await log.close();
    const records = await allRecords(paths.audit);
    const repaired = records.find((r) => r.type === 'event' && r.event === 'audit.repaired');
    assert.ok(repaired);
    assert.equal(repaired!.seq, 3);
    const report = await verifyAuditDir(paths.audit);
    assert.equal(report.ok, true);
    assert.equal(report.notes.length, 0);
  } finally {
    await cleanup();
  }
});

test('records removed from the end while the engine was down are on record at the next open', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    let log = await openAuditLog(paths);
    for (let i = 0; i < 5; i += 1) await log.decided(makeCall(i), allow);
    await log.close();
    const [segment] = (await readdir(paths.audit)).filter((f) => f.endsWith('.jsonl'));
    const lines = (await readFile(join(paths.audit, segment!), 'utf8')).split('\n').filter(Boolean);
    await writeFile(join(paths.audit, segment!), lines.slice(0, 3).map((l) => `${l}\n`).join(''));
    log = await openAuditLog(paths);
    await log.close();
    const event = (await allRecords(paths.audit)).find((r) => r.type === 'event' && r.event === 'audit.truncation-detected');
    assert.ok(event && event.type === 'event');
    assert.equal(event.data.headSeq, 5);
    assert.equal(event.data.logSeq, 3);
    // The new head vouches for the new end; verify still reports the cut, at the record that notes it.
    const report = await verifyAuditDir(paths.audit);
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.code, 'AUDIT_LOG_TRUNCATED');
    assert.equal(report.firstBroken?.seq, event.seq);
    assert.match(report.firstBroken?.message ?? '', /records had been removed from the end of the log when the engine started/);
    assert.equal((await verifyAuditDir(paths.audit, { workers: 'always' })).firstBroken?.code, 'AUDIT_LOG_TRUNCATED', 'the same with worker threads');
  } finally {
    await cleanup();
  }
});

test('bad options are refused with a clear code', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    await assert.rejects(openAuditLog(paths, { maxSegmentBytes: 10 }), { code: 'AUDIT_BAD_OPTION' });
    await assert.rejects(openAuditLog(paths, { retentionDays: -1 }), { code: 'AUDIT_BAD_OPTION' });
    await assert.rejects(openAuditLog(paths, { syslog: [{ host: '127.0.0.1', port: 0, protocol: 'udp' }] }), { code: 'AUDIT_BAD_OPTION' });
  } finally {
    await cleanup();
  }
});

test('an outcome record waits at most a few ms for a write to share, and is in the file once acknowledged', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const log = await openAuditLog(paths);
    const call = makeCall(1);
    await log.decided(call, allow);
    const started = Date.now();
    await log.finished(call, allow, { status: 'ok', durationMs: 1 });
    assert.ok(Date.now() - started < 1000, 'no further call is needed for the outcome to be written');
    // Read before close: an acknowledged record is already in the segment.
    const outcomes = (await allRecords(paths.audit)).filter((r) => r.type === 'outcome');
    assert.equal(outcomes.length, 1);
    await log.close();
  } finally {
    await cleanup();
  }
});

test('a failed fdatasync stops the log: later calls are refused and the head checkpoint never claims the unsynced records', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    let syncs = 0;
    const fs: AuditFs = {
      ...nodeAuditFs,
      async openAppend(path) {
        const real = await nodeAuditFs.openAppend(path);
        return {
          ...real,
          async sync() {
            syncs += 1;
            if (syncs >= 2 && path.endsWith('.jsonl')) throw Object.assign(new Error('EIO: simulated'), { code: 'EIO' });
            await real.sync();
          },
        };
      },
    };
    const warnings: string[] = [];
    const log = await openAuditLog(paths, { fs, onWarning: (w) => warnings.push(w) });
    await log.decided(makeCall(1), allow);
    const syncedBefore = log.lastWritten().seq;
    await new Promise((r) => setTimeout(r, 60)); // the background sync runs (and succeeds or fails)
    await log.decided(makeCall(2), allow).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 60)); // this one's sync fails
    await assert.rejects(log.decided(makeCall(3), allow), (error: Error & { code: string }) => error.code === 'AUDIT_WRITE_FAILED');
    assert.ok(warnings.some((w) => /could not be synced/.test(w)), warnings.join(' | '));
    await log.close();
    const head = JSON.parse(await readFile(join(paths.audit, 'head.json'), 'utf8')) as { seq: number };
    assert.ok(head.seq <= syncedBefore, `head names seq ${head.seq}, only up to ${syncedBefore} was synced before the failure`);
    const calls = (await allRecords(paths.audit)).filter((r) => r.type === 'decision').map((r) => (r as { callId: string }).callId);
    assert.ok(!calls.includes('call-3'), 'nothing is written after the failure');
  } finally {
    await cleanup();
  }
});

test('outcome records share the window of an earlier one, also after a call flushed in between; close writes a waiting one', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const log = await openAuditLog(paths);
    const first = makeCall(1);
    const second = makeCall(2);
    await log.decided(first, allow);
    // An outcome opens a write window; a decision (which a call waits for) is written at once, before it
    // ends; an outcome made after that decision is written when the window ends, with no further call.
    const firstDone = log.finished(first, allow, { status: 'ok', durationMs: 1 });
    await log.decided(second, allow);
    await firstDone;
    const started = Date.now();
    await log.finished(second, allow, { status: 'ok', durationMs: 1 });
    assert.ok(Date.now() - started < 1000, 'the outcome did not wait for another call');
    assert.equal((await allRecords(paths.audit)).filter((r) => r.type === 'outcome').length, 2);
    // An outcome still in its window when the log closes is written by close.
    const third = makeCall(3);
    await log.decided(third, allow);
    const thirdDone = log.finished(third, allow, { status: 'ok', durationMs: 1 });
    await log.close();
    await thirdDone;
    assert.equal((await allRecords(paths.audit)).filter((r) => r.type === 'outcome').length, 3);
    assert.equal((await verifyAuditDir(paths.audit)).ok, true);
  } finally {
    await cleanup();
  }
});

test('allowed calls left without an outcome are put on record at the next open, once; finished and refused calls are not', async () => {
  const { paths, cleanup } = await freshPaths();
  const unrecorded = async () => (await allRecords(paths.audit)).filter((r) => r.type === 'event' && r.event === 'audit.outcomes-unrecorded');
  try {
    let log = await openAuditLog(paths);
    for (let i = 1; i <= 3; i += 1) await log.decided(makeCall(i), allow);
    await log.finished(makeCall(1), allow, { status: 'ok', durationMs: 3 });
    await log.decided(makeCall(4), deny); // a refusal without its outcome: nothing ran
    for (let i = 10; i < 115; i += 1) await log.decided(makeCall(i), allow);
    await log.close(); // on disk as a kill -9 leaves it: decisions whose outcomes never came
    log = await openAuditLog(paths);
    await log.close();
    const [note, ...more] = await unrecorded();
    assert.equal(more.length, 0);
    const data = (note as unknown as { data: { count: number; listed: number; calls: Array<{ callId: string; server: string; tool: string; seq: number; time: string }> } }).data;
    assert.equal(data.count, 2 + 105);
    assert.equal(data.listed, 100, 'the first 100 are named, the rest counted');
    assert.deepEqual(data.calls.slice(0, 3).map((c) => c.callId), ['call-2', 'call-3', 'call-10']);
    assert.deepEqual(data.calls[0], { seq: 2, time: data.calls[0]!.time, callId: 'call-2', server: 'files', tool: 'read_file' });

    log = await openAuditLog(paths);
    await log.decided(makeCall(200), allow);
    await log.finished(makeCall(200), allow, { status: 'error', durationMs: 1 });
    await log.close();
    log = await openAuditLog(paths);
    await log.close();
    assert.equal((await unrecorded()).length, 1, 'not reported again, and a call with its outcome is not reported');
    const report = await verifyAuditDir(paths.audit);
    assert.equal(report.ok, true, JSON.stringify(report.firstBroken));
  } finally {
    await cleanup();
  }
});

test('a call decided just before the log rotated and left without an outcome is on record too; one whose outcome came after the rotation is not', async () => {
  for (const sidecar of [true, false]) {
    const { paths, cleanup } = await freshPaths();
    try {
      let log = await openAuditLog(paths, { maxSegmentBytes: 4096 });
      await log.decided(makeCall(1), allow); // never finishes
      await log.decided(makeCall(2), allow); // finishes in the next segment
      await rotateUntil(log, paths.audit, 2);
      await log.finished(makeCall(2), allow, { status: 'ok', durationMs: 9 });
      await log.close(); // on disk as a kill -9 leaves it
      const [first, second] = await segmentNames(paths.audit);
      assert.ok(first && second, 'the log rotated');
      assert.ok((await readFile(join(paths.audit, first), 'utf8')).includes('"callId":"call-1"'), 'call-1 was decided in the first segment');
      const idx = join(paths.audit, `${first}.idx`);
      assert.ok(existsSync(idx), 'the sealed segment has its index sidecar');
      if (!sidecar) await rm(idx);
      log = await openAuditLog(paths, { maxSegmentBytes: 4096 });
      await log.close();
      const notes = (await allRecords(paths.audit)).filter((r) => r.type === 'event' && r.event === 'audit.outcomes-unrecorded');
      assert.equal(notes.length, 1, `sidecar ${sidecar}`);
      const data = (notes[0] as unknown as { data: { count: number; calls: { callId: string }[] } }).data;
      assert.deepEqual(data.calls.map((c) => c.callId), ['call-1'], `sidecar ${sidecar}`);
      assert.equal(data.count, 1);
    } finally {
      await cleanup();
    }
  }
});

test('a call still running across several rotations and then left without an outcome is on record at the next open; calls finished meanwhile are not', async () => {
  for (const sidecar of [true, false]) {
    const { paths, cleanup } = await freshPaths();
    try {
      let log = await openAuditLog(paths, { maxSegmentBytes: 4096 });
      const long = makeCall(0, { callId: '3f2b8c1e-9d4a-4e6b-a1c2-7e8f9a0b1c2d', tool: 'run_build' }); // never finishes
      const later = makeCall(1, { callId: 'call-later' }); // finishes three segments on
      await log.decided(long, allow);
      await log.decided(later, allow);
      await rotateUntil(log, paths.audit, 4);
      await log.finished(later, allow, { status: 'ok', durationMs: 900 });
      await log.close(); // on disk as a kill -9 leaves it
      const names = await segmentNames(paths.audit);
      // From the third segment on, each starts with the calls still running from before the segment
      // before it: the long one is carried on.
      const records = await allRecords(paths.audit);
      const carries = records.filter((r) => r.type === 'event' && r.event === 'audit.calls-open');
      assert.equal(carries.length, names.length - 2, `a carry per rotation after the first, got ${carries.length}`);
      for (const [k, name] of names.slice(2).entries()) {
        const text = await readFile(join(paths.audit, name), 'utf8');
        assert.ok(text.split('\n').slice(0, 3).some((line) => line.includes('"event":"audit.calls-open"')), `${name} opens with its carry`);
        assert.ok(text.includes(long.callId), `carry ${k}`);
      }
      const lastCarry = (carries.at(-1) as unknown as { data: { calls: { callId: string; tool: string }[] } }).data;
      assert.deepEqual(lastCarry.calls.map((c) => c.callId), [long.callId, 'call-later'], 'the call id is kept whole (not redacted)');
      if (!sidecar) for (const name of names) await rm(join(paths.audit, `${name}.idx`), { force: true });
      log = await openAuditLog(paths, { maxSegmentBytes: 4096 });
      await log.close();
      const notes = (await allRecords(paths.audit)).filter((r) => r.type === 'event' && r.event === 'audit.outcomes-unrecorded');
      assert.equal(notes.length, 1, `sidecar ${sidecar}`);
      const data = (notes[0] as unknown as { data: { count: number; calls: { callId: string; tool: string; seq: number }[] } }).data;
      assert.deepEqual(data.calls.map((c) => [c.callId, c.tool, c.seq]), [[long.callId, 'run_build', 1]], `sidecar ${sidecar}`);
      assert.equal(data.count, 1);
      assert.equal((await verifyAuditDir(paths.audit)).ok, true);
    } finally {
      await cleanup();
    }
  }
});

test('calls refused because their decision could not be written are not carried as running', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    let full = false;
    let log = await openAuditLog(paths, { maxSegmentBytes: 4096, fs: failingFs('ENOSPC', () => full) });
    await log.decided(makeCall(1), allow); // runs on, never finishes
    full = true;
    const refused = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => log.decided(makeCall(100 + i), allow)));
    assert.ok(refused.every((r) => r.status === 'rejected'));
    full = false;
    await rotateUntil(log, paths.audit, 4);
    await log.close();
    const carries = (await allRecords(paths.audit)).filter((r) => r.type === 'event' && r.event === 'audit.calls-open');
    assert.ok(carries.length > 0);
    for (const carry of carries) assert.deepEqual((carry as unknown as { data: { calls: { callId: string }[] } }).data.calls.map((c) => c.callId), ['call-1']);
    log = await openAuditLog(paths, { maxSegmentBytes: 4096 });
    await log.close();
    const note = (await allRecords(paths.audit)).find((r) => r.type === 'event' && r.event === 'audit.outcomes-unrecorded');
    assert.deepEqual((note as unknown as { data: { calls: { callId: string }[] } }).data.calls.map((c) => c.callId), ['call-1']);
  } finally {
    await cleanup();
  }
});
