// While the log is quiet the engine builds the active segment's free-text filters and leaves its
// sidecar, so a sealed segment's sidecar carries the filters, the first search after a busy day need
// not build them all, and a new reader loads the index instead of parsing the whole segment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openAuditLog, openAuditReader } from '../../../src-main/engine/audit/index.js';
import { IDLE_MS, IdleIndexer } from '../../../src-main/engine/audit/idle-index.js';
import { SegmentIndex } from '../../../src-main/engine/audit/segment-index.js';
import { BLOCK_ROWS } from '../../../src-main/engine/audit/text-index.js';
import { allow, freshPaths, makeCall } from './kit.js';

const DAY = 86_400_000;

test('blocks written before a quiet spell get their text filters, and the sealed sidecar keeps them', async () => {
  const { paths, cleanup } = await freshPaths();
  let now = Date.parse('2026-11-20T10:00:00Z');
  const log = await openAuditLog(paths, { now: () => now, rotateDaily: true });
  try {
    const calls = 2200; // two complete blocks and part of a third
    for (let from = 0; from < calls; from += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, k) => log.decided(makeCall(from + k, { tool: from + k === 1500 ? 'shred_all' : 'read_file' }), allow)));
    }
    await sleep(IDLE_MS * 2 + 500); // quiet: two blocks to build, one per turn, then the sidecar
    const active = (await readdir(paths.audit)).filter((f) => f.endsWith('.idx'));
    assert.equal(active.length, 1, 'the active segment has a sidecar');
    const saved = SegmentIndex.deserialize(await readFile(join(paths.audit, active[0]!)));
    assert.equal(saved?.count, calls, 'it holds every record written so far');
    assert.ok(saved.text.has(0) && saved.text.has(1), 'with the text filters');
    now += DAY; // the next record opens a new segment and seals this one with its index
    await log.decided(makeCall(calls), allow);
    const sidecars = (await readdir(paths.audit)).filter((f) => f.endsWith('.idx')).sort();
    assert.equal(sidecars.length, 1, 'the sealed segment has its sidecar');
    const index = SegmentIndex.deserialize(await readFile(join(paths.audit, sidecars[0]!)));
    assert.ok(index, 'the sidecar is one this version reads');
    assert.equal(index.completeBlocks, 2);
    assert.ok(index.text.has(0) && index.text.has(1), 'both complete blocks have text filters');

    // A new reader (the CLI) uses them at once: a rare text reads only the block that holds it.
    const page = await openAuditReader(paths).query({ text: 'shred_all' });
    assert.equal(page.records.length, 1);
    assert.ok(page.scanned <= BLOCK_ROWS + 200, `looked at ${page.scanned} rows`);
  } finally {
    await log.close();
    await cleanup();
  }
});

test('records written while the indexer saves the sidecar are indexed too once the log is quiet again', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    await mkdir(paths.audit, { recursive: true });
    const segment = { name: 'audit-000000000001-20261125.jsonl', path: join(paths.audit, 'audit-000000000001-20261125.jsonl'), firstSeq: 1, day: '20261125' };
    const index = new SegmentIndex();
    let size = 0;
    let seq = 1;
    const write = (n: number) => {
      let text = '';
      for (let i = 0; i < n; i += 1, seq += 1) {
        const record = { seq, prev: 'x', hash: 'y', time: '2026-11-25T00:00:00Z', type: 'event' as const, event: `e${seq}`, data: {} };
        const line = `${JSON.stringify(record)}\n`;
        index.add(record, size, Buffer.byteLength(line));
        size += Buffer.byteLength(line);
        text += line;
      }
      appendFileSync(segment.path, text);
    };
    await writeFile(segment.path, '');
    write(2 * BLOCK_ROWS);
    const idle = new IdleIndexer(() => ({ segment, index }));
    // A burst lands while the first sidecar is being saved (serialize runs inside the save).
    const serialize = index.serialize.bind(index);
    let burst = true;
    index.serialize = () => {
      const bytes = serialize();
      if (burst) {
        burst = false;
        setImmediate(() => {
          write(BLOCK_ROWS + 76);
          idle.written();
        });
      }
      return bytes;
    };
    idle.written();
    await sleep(IDLE_MS * 3 + 1500);
    await idle.stop();
    assert.equal(index.completeBlocks, 3);
    assert.ok([0, 1, 2].every((b) => index.text.has(b)), 'the burst block has its text filter');
    const saved = SegmentIndex.deserialize(await readFile(`${segment.path}.idx`));
    assert.equal(saved?.count, 3 * BLOCK_ROWS + 76, 'the sidecar holds the burst too');
  } finally {
    await cleanup();
  }
});
