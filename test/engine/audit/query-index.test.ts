// Filtered queries over a log of several segments (sealed and active, thousands of records, so whole
// blocks are skipped by their summaries and text filters) return exactly what a brute-force filter
// over every record returns, page after page; the `.idx` sidecars are a cache that is rebuilt when
// missing, stale, from an older version or corrupt, and never changes an answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openAuditLog, openAuditReader, type AuditQuery, type AuditRecord } from '../../../src-main/engine/audit/index.js';
import { metadataOf } from '../../../src-main/engine/audit/record.js';
import { BLOCK_ROWS } from '../../../src-main/engine/audit/text-index.js';
import type { Decision } from '../../../src-main/engine/pipeline.js';
import { allow, deny, freshPaths, makeCall } from './kit.js';

const START = Date.parse('2026-05-01T00:00:00Z');
const TOTAL_CALLS = 3300;
const timeout: Decision = { effect: 'deny', ruleId: 'approval:timeout', reasons: ['Nobody answered, so the call was refused.'], approver: 'timeout', risk: 'medium', status: 'timeout' };
const kelvin: Decision = { effect: 'allow', ruleId: 'rule:thermo', reasons: ['Reads 5 \u212a at most, per rule.'], approver: 'policy', risk: 'low' };
const istanbul: Decision = { effect: 'allow', ruleId: 'rule:region', reasons: ['Allowed for \u0130stanbul office.'], approver: 'policy', risk: 'low' };

const locked: Decision = { effect: 'allow', ruleId: 'rule:vault', reasons: ['\u{1F512} Locked: vault access is logged.'], approver: 'policy', risk: 'high' };

function decisionFor(i: number): Decision {
  if (i === 77 || i === 3001) return locked;
  if (i === 1234 || i === 2987) return kelvin;
  if (i === 400) return istanbul;
  if (i % 611 === 0) return timeout;
  if (i % 9 === 0) return deny;
  return allow;
}

/** ~7,000 records over four segments: common and rare clients, servers, tools and texts. */
async function seeded() {
  const { paths, cleanup } = await freshPaths();
  let now = START;
  const log = await openAuditLog(paths, { now: () => now, maxSegmentBytes: 1024 * 1024, capturePayloads: (server) => server === 'mail' });
  for (let from = 0; from < TOTAL_CALLS; from += 100) {
    const batch: Promise<void>[] = [];
    for (let i = from; i < from + 100; i += 1) {
      now += 1000;
      const call = makeCall(i, {
        client: i === 2000 ? { id: 'client-rare', name: 'Zed' } : i % 3 === 0 ? { id: 'client-b', name: 'Cursor', version: '0.9' } : { id: 'client-a', name: 'Claude Desktop' },
        server: i === 77 || i === 3001 ? 'vault' : i % 4 === 0 ? 'mail' : 'files',
        tool: i % 500 === 7 ? 'delete_everything' : i % 2 === 0 ? 'read_file' : 'write_file',
        sessionId: `session-${i % 13}`,
        arguments: { note: i % 50 === 0 ? 'needle-in-payload' : `Note ${i}`, path: `/home/me/Notes-${i}.txt` },
      });
      const decision = decisionFor(i);
      batch.push(log.decided(call, decision));
      batch.push(log.finished(call, decision, { status: decision.status ?? (i % 7 === 0 ? 'error' : 'ok'), durationMs: i % 100, result: { text: `result ${i} needle-in-result` }, errorMessage: i % 7 === 0 ? 'Disk NEEDLE-IN-ERROR' : undefined }));
    }
    if (from === 1600) batch.push(log.event('engine.started', { pid: 4242, note: 'Rare event' }));
    await Promise.all(batch);
  }
  return { paths, log, cleanup };
}

interface Stored {
  record: AuditRecord;
  line: string;
  segment: string;
  /** Its line number in the segment. */
  row: number;
}

async function allRecords(dir: string): Promise<Stored[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
  const out: Stored[] = [];
  for (const name of names) {
    const lines = (await readFile(join(dir, name), 'utf8')).split('\n').filter(Boolean);
    lines.forEach((line, row) => out.push({ record: JSON.parse(line) as AuditRecord, line, segment: name, row }));
  }
  return out;
}

/** The query's meaning, written out plainly: every record tested against every filter. */
function bruteForce(all: Stored[], q: AuditQuery): number[] {
  const text = q.text?.trim().toLowerCase();
  const since = q.since !== undefined ? Date.parse(String(q.since)) : -Infinity;
  const until = q.until !== undefined ? Date.parse(String(q.until)) : Infinity;
  const out: number[] = [];
  for (const { record: r, line } of all) {
    const call = r.type === 'event' ? undefined : r;
    const data = r.type === 'event' ? r.data : {};
    const time = Date.parse(r.time);
    if (time < since || time > until) continue;
    if (q.type && r.type !== q.type) continue;
    if (q.event && (r.type !== 'event' || r.event !== q.event)) continue;
    if (q.effect && call?.effect !== q.effect) continue;
    if (q.status && call?.status !== q.status) continue;
    if (q.server && (call ? call.server : data.server) !== q.server) continue;
    if (q.tool && (call ? call.tool : data.tool) !== q.tool) continue;
    if (q.client && (call ? call.client.id !== q.client && call.client.name !== q.client : data.client !== q.client)) continue;
    if (q.callId && call?.callId !== q.callId) continue;
    if (text) {
      const hasPayload = 'args' in r || 'result' in r || 'error' in r;
      const metadata = hasPayload ? JSON.stringify(metadataOf(r)) : line;
      if (!holds(metadata.toLowerCase(), text)) continue;
    }
    out.push(r.seq);
  }
  return q.order === 'oldest' ? out : out.reverse();
}

/**
 * Free text as docs/audit.md states it: anywhere, except that a text of hex digits only finds a hash
 * or digest (a run of 15+ hex digits) only from its start.
 */
function holds(metadata: string, text: string): boolean {
  if (!/^[0-9a-f]+$/.test(text)) return metadata.includes(text);
  return (metadata.match(/[0-9a-f]+/g) ?? []).some((run) => run.startsWith(text) || (run.length < 15 && run.includes(text)));
}

type Query = (q: AuditQuery) => Promise<{ records: AuditRecord[]; nextCursor?: number; scanned: number }>;

/** Every page of a query, joined by its cursors. */
async function allPages(query: Query, q: AuditQuery, limit: number): Promise<number[]> {
  const seqs: number[] = [];
  let cursor: number | undefined;
  for (let pages = 0; pages < 10_000; pages += 1) {
    const page = await query({ ...q, limit, ...(cursor === undefined ? {} : q.order === 'oldest' ? { after: cursor } : { before: cursor }) });
    seqs.push(...page.records.map((r) => r.seq));
    if (page.nextCursor === undefined) return seqs;
    assert.equal(page.records.length, limit, 'a page with a cursor after it is full');
    cursor = page.nextCursor;
  }
  throw new Error('pages never ended');
}

const QUERIES: AuditQuery[] = [
  {},
  { server: 'vault' },
  { tool: 'delete_everything' },
  { client: 'Zed' },
  { client: 'client-rare' },
  { client: 'Cursor', server: 'mail', status: 'error' },
  { effect: 'deny', type: 'decision' },
  { status: 'timeout' },
  { event: 'engine.started' },
  { type: 'event' },
  { callId: 'call-2000' },
  { callId: 'call-3' },
  { since: '2026-05-01T00:30:00Z', until: '2026-05-01T00:40:00Z' },
  { since: '2026-05-01T01:00:00Z', until: '2026-05-01T01:00:30Z', tool: 'read_file' },
  { text: 'call-1234"' },
  { text: 'CALL-17' },
  { text: 'session-12"' },
  { text: 'cursor' },
  { text: 'Writes outside' },
  { text: 'needle-in-payload' },
  { text: 'needle-in-result' },
  { text: 'needle-in-error' },
  { text: '5 k at most' },
  { text: 'i\u0307stanbul' },
  { text: 'stanbul' },
  { text: '\u0130stanbul' },
  { text: '"risk":"low","hash":"' },
  { text: '\u{1F512} locked' },
  { text: '\ud83d' },
  { text: 'rare event' },
  { text: 'no such text anywhere' },
  { text: 'ab' },
  { text: 'zq' },
  { text: '"s' },
  { text: '\u0130' },
  { text: 'ü' },
  { text: '2026' },
  { text: 'deadbeef' },
  { text: 'nobody answered', server: 'files' },
  { text: 'call-3', client: 'Cursor', effect: 'allow' },
  { text: '"tool":"delete_everything"', order: 'oldest' },
  { server: 'vault', order: 'oldest' },
  { effect: 'deny', order: 'oldest' },
];

test('every filter, rare or common, column or free text, returns exactly the brute-force answer on every page', async () => {
  const { paths, log, cleanup } = await seeded();
  try {
    const all = await allRecords(paths.audit);
    const segments = (await readdir(paths.audit)).filter((f) => f.endsWith('.jsonl'));
    assert.ok(segments.length >= 4, `several segments (${segments.length})`);
    const reader = openAuditReader(paths);
    // Hex digits only: hashes and digests whole, by their first digits (3 to 16), upper case, and
    // pieces from the middle (no match); numbers and hex words inside short runs.
    const hash = all[3000]!.record.hash;
    const digest = (all[2400]!.record as { argDigest: string }).argDigest.slice('sha256:'.length);
    const hexQueries: AuditQuery[] = [hash, hash.slice(0, 16), hash.slice(0, 8), hash.slice(0, 5), hash.slice(0, 4), hash.slice(0, 3), hash.slice(0, 12).toUpperCase(), hash.toUpperCase(), digest.slice(0, 10), hash.slice(17, 47), hash.slice(5, 28), hash.slice(40, 48), '1234', '300', '99', 'dec', 'deadbeef'].map((text) => ({ text }));
    for (const q of [...QUERIES, ...hexQueries]) {
      const expected = bruteForce(all, q);
      assert.deepEqual(await allPages(log.query, q, 200), expected, `engine: ${JSON.stringify(q)}`);
      assert.deepEqual(await allPages(reader.query, q, 1000), expected, `reader: ${JSON.stringify(q)}`);
    }
    // The data really has rare and common matches.
    assert.equal(bruteForce(all, { server: 'vault' }).length, 4);
    assert.equal(bruteForce(all, { text: hash }).length, 2, 'a record by its hash, and the next by its prev');
    assert.equal(bruteForce(all, { text: hash.slice(0, 8) }).length, 2, 'a hash by its first 8 digits');
    assert.equal(bruteForce(all, { text: hash.slice(17, 47) }).length, 0, 'not by digits from its middle');
    assert.ok(bruteForce(all, { text: '1234' }).length > 2, 'numbers are found inside short runs (call-1234, seq 1234, ...)');
    assert.equal(bruteForce(all, { text: 'call-1234"' }).length, 2);
    assert.equal(bruteForce(all, { text: '5 k at most' }).length, 2, 'the Kelvin sign lower-cases to k');
    assert.equal(bruteForce(all, { text: 'needle-in-payload' }).length, 0);
    assert.equal(bruteForce(all, { text: '\u{1F512} locked' }).length, 2, 'decisions carry the reasons');
    assert.equal(bruteForce(all, { text: '\ud83d' }).length, 2, 'half of a surrogate pair matches as JavaScript compares');
    assert.ok(bruteForce(all, { text: '"risk":"low","hash":"' }).length > 1000);
    // Small pages too (cursors inside blocks and across segments).
    for (const q of [{ text: 'call-17' }, { tool: 'delete_everything' }, { effect: 'deny' as const, order: 'oldest' as const }]) {
      assert.deepEqual(await allPages(reader.query, q, 3), bruteForce(all, q), `pages of 3: ${JSON.stringify(q)}`);
    }
  } finally {
    await log.close();
    await cleanup();
  }
});

test('rare filters and rare text look only at the blocks that hold a match, not at every record', async () => {
  const { paths, log, cleanup } = await seeded();
  try {
    const all = await allRecords(paths.audit);
    const reader = openAuditReader(paths);
    await reader.query({ text: 'call-1234"' }); // the first text query builds the filters it lacks
    // A segment's last, unfinished block is always read row by row; every other block is skipped
    // unless it holds a match (a text filter may let one more block through by chance).
    const perSegment = new Map<string, number>();
    for (const s of all) perSegment.set(s.segment, (perSegment.get(s.segment) ?? 0) + 1);
    const tails = [...perSegment.values()].reduce((sum, count) => sum + (count % BLOCK_ROWS), 0);
    const hash = all[5000]!.record.hash;
    const digest = (all[4100]!.record as { argDigest: string }).argDigest.slice('sha256:'.length);
    for (const q of [{ text: hash }, { text: hash.slice(0, 8) }, { text: hash.slice(0, 5) }, { text: digest.slice(0, 12) }, { text: 'deadbeef' }, { text: '4998' }, { text: 'zq' }, { text: 'ü' }, { server: 'vault' }, { event: 'engine.started' }, { text: 'call-3001"' }, { text: 'rare event' }, { text: 'no such text anywhere' }, { callId: 'call-2000' }, { client: 'Zed' }] satisfies AuditQuery[]) {
      const matches = new Set(bruteForce(all, q));
      const blocks = new Set(all.filter((s) => matches.has(s.record.seq)).map((s) => `${s.segment}/${Math.floor(s.row / BLOCK_ROWS)}`));
      const bound = tails + (blocks.size + 1) * BLOCK_ROWS;
      const page = await reader.query({ ...q, limit: 1000 });
      assert.equal(page.records.length, matches.size);
      assert.ok(page.scanned <= bound, `${JSON.stringify(q)} looked at ${page.scanned} of ${all.length} rows (at most ${bound})`);
    }
    const engine = await log.query({ text: 'call-1234"' });
    assert.equal(engine.records.length, 2);
  } finally {
    await log.close();
    await cleanup();
  }
});

test('missing, stale, old-version and corrupt sidecars are rebuilt and give the same answers', async () => {
  const { paths, log, cleanup } = await seeded();
  try {
    await log.close();
    const all = await allRecords(paths.audit);
    const probe = [{ text: 'call-1234"' }, { server: 'vault' }, { client: 'Cursor', status: 'error' }, { text: 'stanbul' }] satisfies AuditQuery[];
    const answers = async () => {
      const reader = openAuditReader(paths);
      return Promise.all(probe.map((q) => allPages(reader.query, q, 1000)));
    };
    const expected = probe.map((q) => bruteForce(all, q));
    assert.deepEqual(await answers(), expected);
    const sidecars = (await readdir(paths.audit)).filter((f) => f.endsWith('.idx')).sort();
    assert.ok(sidecars.length >= 3);
    // A reader leaves the text filters it built in the sealed segments' sidecars.
    const first = await readFile(join(paths.audit, sidecars[0]!));
    assert.equal(first.subarray(0, 19).toString(), 'WARDEN-AUDIT-IDX-7\n');

    // An older version's sidecar: not trusted, rebuilt, and written back in the current version.
    await writeFile(join(paths.audit, sidecars[0]!), Buffer.concat([Buffer.from('WARDEN-AUDIT-IDX-6\n'), first.subarray(19)]));
    // Cut short, and plain garbage.
    await writeFile(join(paths.audit, sidecars[1]!), (await readFile(join(paths.audit, sidecars[1]!))).subarray(0, 5000));
    await writeFile(join(paths.audit, sidecars[2]!), Buffer.alloc(4096, 7));
    assert.deepEqual(await answers(), expected);
    for (const name of sidecars.slice(0, 3)) {
      const rewritten = await readFile(join(paths.audit, name));
      assert.equal(rewritten.subarray(0, 19).toString(), 'WARDEN-AUDIT-IDX-7\n', `${name} was rebuilt`);
    }

    // A sidecar from another segment (its offsets point into the middle of lines): not misread.
    await writeFile(join(paths.audit, sidecars[0]!), await readFile(join(paths.audit, sidecars[1]!)));
    assert.deepEqual(await answers(), expected);

    // A reader that let its indexes go (idle) loads them again and answers the same.
    const { AuditReader } = await import('../../../src-main/engine/audit/query.js');
    const idle = new AuditReader(paths.audit, undefined, 1);
    const before = await Promise.all(probe.map((q) => allPages((x) => idle.query(x), q, 1000)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    idle.release();
    assert.deepEqual(await Promise.all(probe.map((q) => allPages((x) => idle.query(x), q, 1000))), before);
    assert.deepEqual(before, expected);

    // No sidecars at all.
    const { unlink } = await import('node:fs/promises');
    for (const name of sidecars) await unlink(join(paths.audit, name));
    assert.deepEqual(await answers(), expected);
  } finally {
    await cleanup();
  }
});

test('records appended after a query are found by the next one, in the live index and by a separate reader', async () => {
  const { paths, log, cleanup } = await seeded();
  try {
    const reader = openAuditReader(paths);
    assert.equal((await log.query({ text: 'late-arrival' })).records.length, 0);
    assert.equal((await reader.query({ text: 'late-arrival' })).records.length, 0);
    // Enough records to complete more blocks of the active segment after its filters were built.
    const calls = Array.from({ length: 1500 }, (_, i) => makeCall(10_000 + i, { sessionId: i === 1499 || i === 3 ? 'late-arrival' : 'late' }));
    await Promise.all(calls.map((call) => log.decided(call, allow)));
    const all = await allRecords(paths.audit);
    for (const q of [{ text: 'late-arrival' }, { text: 'call-10003"' }, { server: 'vault' }] satisfies AuditQuery[]) {
      const expected = bruteForce(all, q);
      assert.deepEqual(await allPages(log.query, q, 50), expected, `engine: ${JSON.stringify(q)}`);
      assert.deepEqual(await allPages(reader.query, q, 50), expected, `reader: ${JSON.stringify(q)}`);
    }
  } finally {
    await log.close();
    await cleanup();
  }
});
