// Retention by size: the oldest whole segments go while the log is larger than the limit (never the
// active one, never one inside a managed minimum of days), on record as an `audit.retention` event so
// that `warden audit verify` still proves the rest; a limit set while the log is open applies at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { openAuditLog } from '../../../src-main/engine/audit/index.js';
import { listSegments } from '../../../src-main/engine/audit/segments.js';
import { freshPaths } from './kit.js';

const LIMIT = 6 * 4096;
// A segment that retention removes between the listing and the stat counts as gone.
const bytesOf = async (dir: string) => (await Promise.all((await listSegments(dir)).map(async (s) => (await stat(s.path).catch(() => ({ size: 0 }))).size))).reduce((a, b) => a + b, 0);

async function fill(log: Awaited<ReturnType<typeof openAuditLog>>, n: number) {
  for (let i = 0; i < n; i++) await log.event('test.filler', { i, text: 'x'.repeat(200) });
}

test('over the size limit the oldest segments go, the log stays under it (plus the active segment), and verifies', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const log = await openAuditLog(paths, { maxSegmentBytes: 4096, retentionMaxBytes: LIMIT });
    await fill(log, 400); // about 130 KB in 4 KB segments
    await new Promise((r) => setTimeout(r, 100)); // a retention pass runs after each rotation
    await fill(log, 5);
    await log.close();
    const size = await bytesOf(paths.audit);
    // Checked at each rotation (one pass at a time): the active segment and one more may be over.
    assert.ok(size <= LIMIT + 2 * 4096, `${size} bytes kept, limit ${LIMIT}`);
    const report = await (await openAuditLog(paths, {})).verify();
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.ok(report.notes.some((n) => /were removed by retention/.test(n)), report.notes.join(' | '));
    const page = await (await openAuditLog(paths, {})).query({ text: 'audit.retention' } as never);
    assert.ok(page.records.some((r) => r.type === 'event' && /under 24576 bytes/.test(JSON.stringify(r))), 'the removal is on record with its reason');
  } finally {
    await cleanup();
  }
});

test('a managed minimum of days wins over the size limit: nothing from the last days is removed', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const log = await openAuditLog(paths, { maxSegmentBytes: 4096, retentionMaxBytes: LIMIT, retentionFloorDays: 30 });
    await fill(log, 300);
    await log.close();
    assert.ok((await bytesOf(paths.audit)) > LIMIT * 2, 'all of today is kept');
    const report = await (await openAuditLog(paths, {})).verify();
    assert.equal(report.ok, true);
    assert.ok(!report.notes.some((n) => /removed by retention/.test(n)), report.notes.join(' | '));
  } finally {
    await cleanup();
  }
});

test('a size limit set while the log is open applies at once', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const log = await openAuditLog(paths, { maxSegmentBytes: 4096 });
    await fill(log, 300);
    assert.ok((await bytesOf(paths.audit)) > LIMIT * 2);
    log.configure({ retentionMaxBytes: LIMIT });
    for (let i = 0; i < 100 && (await bytesOf(paths.audit)) > LIMIT + 2 * 4096; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok((await bytesOf(paths.audit)) <= LIMIT + 2 * 4096);
    assert.throws(() => log.configure({ retentionMaxBytes: -1 }), /retentionMaxBytes must be a whole number of bytes/);
    await log.close();
  } finally {
    await cleanup();
  }
});
