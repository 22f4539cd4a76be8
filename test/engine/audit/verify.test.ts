// Each kind of tampering with the audit log is detected, and the first broken record is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openAuditLog } from '../../../src-main/engine/audit/index.js';
import { verifyAuditDir } from '../../../src-main/engine/audit/verify.js';
import { allow, deny, freshPaths, makeCall } from './kit.js';

/** A log of `n` records (n / 2 calls, each a decision and its outcome) in several small segments. */
async function buildLog(n = 60) {
  const { paths, cleanup } = await freshPaths();
  const log = await openAuditLog(paths, { maxSegmentBytes: 4096 });
  for (let i = 0; i < n / 2; i += 1) {
    const decision = i % 5 === 0 ? deny : allow;
    await log.decided(makeCall(i), decision);
    await log.finished(makeCall(i), decision, { status: decision === deny ? 'denied' : 'ok', durationMs: 2 });
  }
  await log.close();
  const segments = (await readdir(paths.audit)).filter((f) => f.endsWith('.jsonl')).sort();
  return { dir: paths.audit, segments, cleanup };
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter(Boolean);
}

async function writeLines(path: string, list: string[]): Promise<void> {
  await writeFile(path, list.map((l) => `${l}\n`).join(''));
}

/** Finds the segment and line index holding record `seq`. */
async function locate(dir: string, segments: string[], seq: number) {
  for (const name of segments) {
    const list = await lines(join(dir, name));
    const index = list.findIndex((l) => l.startsWith(`{"seq":${seq},`));
    if (index >= 0) return { path: join(dir, name), name, list, index };
  }
  throw new Error(`record ${seq} not found`);
}

test('an untouched log verifies, across rotated segments', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    assert.ok(segments.length >= 4, `expected several segments, got ${segments.length}`);
    const report = await verifyAuditDir(dir);
    assert.equal(report.ok, true, JSON.stringify(report.firstBroken));
    assert.equal(report.records, 60);
    assert.equal(report.firstSeq, 1);
    assert.equal(report.lastSeq, 60);
    assert.equal(report.segments, segments.length);
  } finally {
    await cleanup();
  }
});

test('an edited record is reported as edited, by seq, segment and line', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const at = await locate(dir, segments, 23);
    at.list[at.index] = at.list[at.index]!.replace('"effect":"allow"', '"effect":"deny"');
    await writeLines(at.path, at.list);
    const report = await verifyAuditDir(dir);
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.code, 'AUDIT_RECORD_EDITED');
    assert.equal(report.firstBroken?.seq, 23);
    assert.equal(report.firstBroken?.segment, at.name);
    assert.equal(report.firstBroken?.line, at.index + 1);
  } finally {
    await cleanup();
  }
});

test('an edited record whose own hash was recomputed breaks the link to the next record', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const at = await locate(dir, segments, 29); // a decision (odd seqs), with its reason to reword
    const edited = at.list[at.index]!.replace('"effect":"allow"', '"effect":"deny"').replace('"effect":"deny"', '"effect":"allow"');
    const changed = edited.replace('Low-risk tool', 'Approved tool');
    const cut = changed.lastIndexOf(',"hash":"');
    const body = `${changed.slice(0, cut)}}`;
    at.list[at.index] = `${changed.slice(0, cut)},"hash":"${createHash('sha256').update(body).digest('hex')}"}`;
    await writeLines(at.path, at.list);
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_CHAIN_BROKEN');
    assert.equal(report.firstBroken?.seq, 30);
  } finally {
    await cleanup();
  }
});

test('a deleted record is reported as missing at the record after the gap', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const at = await locate(dir, segments, 17);
    at.list.splice(at.index, 1);
    await writeLines(at.path, at.list);
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_RECORDS_MISSING');
    assert.equal(report.firstBroken?.seq, 18);
    assert.equal(report.firstBroken?.expectedSeq, 17);
  } finally {
    await cleanup();
  }
});

test('two swapped records are reported as reordered', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const at = await locate(dir, segments, 40);
    assert.ok(at.index + 1 < at.list.length, 'record 41 sits in the same segment');
    [at.list[at.index], at.list[at.index + 1]] = [at.list[at.index + 1]!, at.list[at.index]!];
    await writeLines(at.path, at.list);
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_RECORDS_REORDERED');
    assert.equal(report.firstBroken?.seq, 41);
  } finally {
    await cleanup();
  }
});

test('two swapped records at the start of a segment are reported as reordered, not missing', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const path = join(dir, segments[2]!);
    const list = await lines(path);
    const [first, second] = [list[0]!, list[1]!];
    [list[0], list[1]] = [second, first];
    await writeLines(path, list);
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_RECORDS_REORDERED', report.firstBroken?.message);
    assert.equal(report.firstBroken?.seq, Number(/^\{"seq":(\d+),/.exec(second)![1]));
    assert.equal(report.firstBroken?.segment, segments[2]);
  } finally {
    await cleanup();
  }
});

test('a duplicated (replayed) record is reported', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const at = await locate(dir, segments, 12);
    at.list.splice(at.index + 1, 0, at.list[at.index]!);
    await writeLines(at.path, at.list);
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_RECORDS_REORDERED');
    assert.equal(report.firstBroken?.seq, 12);
  } finally {
    await cleanup();
  }
});

test('records cut from the end of the log are detected by the head checkpoint', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const last = join(dir, segments[segments.length - 1]!);
    const list = await lines(last);
    await writeLines(last, list.slice(0, -2));
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_LOG_TRUNCATED');
    assert.equal(report.firstBroken?.seq, 60);
    assert.match(report.firstBroken!.message, /records 59\.\.60/);
  } finally {
    await cleanup();
  }
});

test('a last record cut in half is detected (the checkpointed record is incomplete)', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const last = join(dir, segments[segments.length - 1]!);
    const size = (await readFile(last)).length;
    await truncate(last, size - 40);
    const report = await verifyAuditDir(dir);
    assert.equal(report.ok, false);
    assert.equal(report.firstBroken?.code, 'AUDIT_LOG_TRUNCATED');
    assert.ok(report.notes.some((n) => /incomplete record/.test(n)));
  } finally {
    await cleanup();
  }
});

test('a whole segment removed from the middle is detected at the first record after it', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const removed = segments[2]!;
    const next = await lines(join(dir, segments[3]!));
    await rm(join(dir, removed));
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_RECORDS_MISSING');
    assert.equal(report.firstBroken?.segment, segments[3]);
    assert.equal(report.firstBroken?.seq, JSON.parse(next[0]!).seq);
  } finally {
    await cleanup();
  }
});

test('the last segment removed is detected as truncation', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    await rm(join(dir, segments[segments.length - 1]!));
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_LOG_TRUNCATED');
  } finally {
    await cleanup();
  }
});

test('the first segment removed without a retention record is detected', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    await rm(join(dir, segments[0]!));
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_START_MISSING');
  } finally {
    await cleanup();
  }
});

test('a removed head checkpoint is reported', async () => {
  const { dir, cleanup } = await buildLog();
  try {
    await rm(join(dir, 'head.json'));
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_HEAD_MISSING');
  } finally {
    await cleanup();
  }
});

test('a renamed segment (records moved between files) is reported', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const name = segments[1]!;
    await rename(join(dir, name), join(dir, name.replace(/audit-(\d+)/, (_m, n: string) => `audit-${String(Number(n) + 1).padStart(12, '0')}`)));
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_SEGMENT_RENAMED');
  } finally {
    await cleanup();
  }
});

test('a line that is not a record at all is reported as malformed', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const at = await locate(dir, segments, 5);
    at.list.splice(at.index, 0, '{"note":"inserted by hand"}');
    await writeLines(at.path, at.list);
    const report = await verifyAuditDir(dir);
    assert.equal(report.firstBroken?.code, 'AUDIT_RECORD_MALFORMED');
    assert.equal(report.firstBroken?.expectedSeq, 5);
  } finally {
    await cleanup();
  }
});

test('checking a segment through a small reused buffer (lines across reads, a line longer than the buffer) gives the same verdict', async () => {
  const { checkSegment, checkSegmentFile } = await import('../../../src-main/engine/audit/segment-check.js');
  const { dir, segments, cleanup } = await buildLog(30);
  try {
    for (const name of segments) {
      const path = join(dir, name);
      const whole = checkSegment(await readFile(path), name, 30);
      const pieces = await checkSegmentFile(path, name, 30, { buf: Buffer.alloc(97) });
      assert.deepEqual(pieces, whole);
    }
    const at = await locate(dir, segments, 9);
    at.list[at.index] = at.list[at.index]!.replace('"effect":"allow"', '"effect":"deny"');
    await writeLines(at.path, at.list);
    const edited = await checkSegmentFile(at.path, at.name, 30, { buf: Buffer.alloc(97) });
    assert.equal(edited.broken?.code, 'AUDIT_RECORD_EDITED');
    assert.equal(edited.broken?.seq, 9);
  } finally {
    await cleanup();
  }
});

test('worker threads reach the same verdicts as the main thread', async () => {
  const { dir, segments, cleanup } = await buildLog();
  try {
    const inline = await verifyAuditDir(dir, { workers: 'never' });
    const threaded = await verifyAuditDir(dir, { workers: 'always' });
    assert.equal(threaded.ok, true);
    assert.equal(threaded.records, inline.records);
    assert.equal(threaded.lastHash, inline.lastHash);
    await rm(join(dir, segments[2]!));
    const broken = await verifyAuditDir(dir, { workers: 'always' });
    assert.deepEqual(broken.firstBroken, (await verifyAuditDir(dir, { workers: 'never' })).firstBroken);
    assert.equal(broken.firstBroken?.code, 'AUDIT_RECORDS_MISSING');
  } finally {
    await cleanup();
  }
});
