// `warden audit verify`: checks every segment of the audit directory, in chain order, against the
// hash chain, the segment names, the head checkpoint (truncation at the end) and the retention
// records (removal at the start). Reads only; safe while an engine is appending. Large logs are
// checked by worker threads, a segment each at a time; the links between segments are checked here.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BrokenRecord } from './chain-check.js';
import { findRetentionAnchor } from './retention-anchor.js';
import { checkSegmentFile, type SegmentSummary } from './segment-check.js';
import { listSegments, readHead, type HeadCheckpoint, type SegmentFile } from './segments.js';

export interface VerifyReport {
  ok: boolean;
  dir: string;
  checkedAt: string;
  durationMs: number;
  segments: number;
  records: number;
  firstSeq?: number;
  lastSeq?: number;
  lastHash?: string;
  head?: HeadCheckpoint;
  firstBroken?: BrokenRecord;
  /** Facts that are not breaks: a torn tail awaiting repair, segments removed by retention. */
  notes: string[];
}

/** Below this many bytes in all, segments are checked on this thread (a worker costs ~50 ms to start). */
const WORKER_THRESHOLD = 48 * 1024 * 1024;

async function checkInline(segments: SegmentFile[], headSeq: number): Promise<SegmentSummary[]> {
  const out: SegmentSummary[] = [];
  const buffer = { buf: Buffer.allocUnsafe(4 * 1024 * 1024) };
  for (const segment of segments) out.push(await checkSegmentFile(segment.path, segment.name, headSeq, buffer));
  return out;
}

function spawnWorker(): Worker {
  // Loaded through import() so that the same code runs from dist/ and under tsx in tests.
  // From source (tests run TypeScript through tsx), the worker needs the same loader.
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './verify-worker.ts' : './verify-worker.js', import.meta.url).href;
  const code = fromSource
    ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); });`
    : `import(${JSON.stringify(url)});`;
  const worker = new Worker(code, { eval: true });
  worker.unref();
  return worker;
}

async function checkInWorkers(segments: SegmentFile[], headSeq: number): Promise<SegmentSummary[]> {
  const count = Math.max(1, Math.min(segments.length, availableParallelism(), 4));
  const results: SegmentSummary[] = new Array(segments.length);
  let next = 0;
  const workers = Array.from({ length: count }, spawnWorker);
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let current = -1;
            const send = () => {
              if (next >= segments.length) return resolve();
              current = next++;
              worker.postMessage({ path: segments[current]!.path, name: segments[current]!.name, headSeq });
            };
            worker.on('message', (answer: { ok: true; summary: SegmentSummary } | { ok: false; code?: string; message: string }) => {
              if (!answer.ok) return reject(Object.assign(new Error(answer.message), { code: answer.code }));
              results[current] = answer.summary;
              send();
            });
            worker.on('error', reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

export interface VerifyOptions {
  /** Worker threads: `auto` (for logs of 48 MiB and more), `always`, or `never`. */
  workers?: 'auto' | 'always' | 'never';
}

async function verifyOnce(dir: string, options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const notes: string[] = [];
  let broken: BrokenRecord | undefined;
  let head: HeadCheckpoint | undefined;
  try {
    head = await readHead(dir);
  } catch (error) {
    broken = { code: 'AUDIT_HEAD_MISSING', segment: 'head.json', line: 1, offset: 0, message: (error as Error).message };
  }
  const segments = await listSegments(dir);
  let total = 0;
  for (const segment of segments) total += (await stat(segment.path)).size;
  const headSeq = head?.seq ?? -1;
  const mode = options.workers ?? 'auto';
  const useWorkers = mode === 'always' || (mode === 'auto' && total >= WORKER_THRESHOLD && segments.length > 1);
  const summaries = useWorkers ? await checkInWorkers(segments, headSeq) : await checkInline(segments, headSeq);

  let records = 0;
  let firstSeq: number | undefined;
  let firstPrev: string | undefined;
  let lastSeq = 0;
  let lastHash = '';
  let headHash: string | undefined;
  const anchors = summaries.flatMap((s) => s.anchors);
  // Whether any of seqs from..to turns up from segment `at` on (in `at` itself: after its first line,
  // as the record that broke its chain or one seen after that break).
  const later = (from: number, to: number, at: number) =>
    summaries
      .slice(at)
      .some(
        (s) =>
          (s.firstSeq !== undefined && s.lastSeq !== undefined && s.firstSeq <= to && s.lastSeq >= from) ||
          (s.seqRange && s.seqRange[0] <= to && s.seqRange[1] >= from) ||
          (s.broken?.seq !== undefined && s.broken.seq >= from && s.broken.seq <= to),
      );

  for (let i = 0; i < summaries.length && !broken; i += 1) {
    const s = summaries[i]!;
    const segment = segments[i]!;
    const place = { segment: s.name, line: 1, offset: 0 };
    if (s.firstSeq !== undefined) {
      if (firstSeq === undefined) {
        firstSeq = s.firstSeq;
        firstPrev = s.firstPrev;
      } else if (s.firstSeq !== lastSeq + 1 || s.firstPrev !== lastHash) {
        const seq = s.firstSeq;
        if (seq > lastSeq + 1) {
          broken = later(lastSeq + 1, seq - 1, i)
            ? { ...place, code: 'AUDIT_RECORDS_REORDERED', seq, expectedSeq: lastSeq + 1, message: `Record ${seq} at ${s.name}:1 comes before records ${lastSeq + 1}..${seq - 1}, which appear later: records were reordered.` }
            : { ...place, code: 'AUDIT_RECORDS_MISSING', seq, expectedSeq: lastSeq + 1, message: `Records ${lastSeq + 1}..${seq - 1} are missing before record ${seq} at ${s.name}:1 (deleted, or a segment was removed).` };
        } else if (seq <= lastSeq) {
          broken = { ...place, code: 'AUDIT_RECORDS_REORDERED', seq, expectedSeq: lastSeq + 1, message: `Record ${seq} at ${s.name}:1 comes after record ${lastSeq}: records were reordered or duplicated.` };
        } else {
          broken = { ...place, code: 'AUDIT_CHAIN_BROKEN', seq, expectedSeq: lastSeq + 1, message: `Record ${seq} at ${s.name}:1 does not link to record ${lastSeq} (its prev hash differs): a record was replaced.` };
        }
        break;
      }
      if (s.firstSeq !== segment.firstSeq) {
        broken = { ...place, code: 'AUDIT_SEGMENT_RENAMED', seq: s.firstSeq, message: `Segment ${s.name} is named for record ${segment.firstSeq} but starts with record ${s.firstSeq}.` };
        break;
      }
    }
    if (s.broken) {
      broken = s.broken.expectedSeq === undefined && firstSeq !== undefined ? { ...s.broken, expectedSeq: lastSeq + 1 } : s.broken;
      if (broken.code === 'AUDIT_RECORDS_MISSING' && s.gap && later(s.gap.from, s.gap.to, i + 1)) {
        broken = { ...broken, code: 'AUDIT_RECORDS_REORDERED', message: `Record ${broken.seq} at ${broken.segment}:${broken.line} comes before records ${s.gap.from}..${s.gap.to}, which appear later: records were reordered.` };
      }
      records += s.records;
      if (s.lastSeq !== undefined) lastSeq = s.lastSeq;
      break;
    }
    if (s.tornBytes > 0) {
      if (i === summaries.length - 1) {
        notes.push(`The last ${s.tornBytes} bytes of ${s.name} are an incomplete record (a write in progress, or one cut by a crash; the engine removes a cut one when it next opens the log).`);
      } else {
        broken = { segment: s.name, line: s.records + 1, offset: s.bytes - s.tornBytes, code: 'AUDIT_TORN_RECORD', message: `The last line of ${s.name} is incomplete, but later segments exist: the segment was cut.` };
        break;
      }
    }
    records += s.records;
    if (s.lastSeq !== undefined) {
      lastSeq = s.lastSeq;
      lastHash = s.lastHash!;
    }
    if (s.headHash) headHash = s.headHash;
  }

  if (!broken && firstSeq !== undefined && firstSeq > 1) {
    const anchor = findRetentionAnchor(anchors, firstSeq, firstPrev!);
    if (anchor) {
      notes.push(`Records 1..${firstSeq - 1} were removed by retention (${anchor.removed.join(', ')}), as the log itself records.`);
    } else {
      broken = { code: 'AUDIT_START_MISSING', segment: segments[0]!.name, line: 1, offset: 0, seq: firstSeq, expectedSeq: 1, message: `The log starts at record ${firstSeq}, and no retention record accounts for records 1..${firstSeq - 1}: the start of the log was removed.` };
    }
  }
  // The end of the log was cut while no engine ran, and the next start said so in the log: that stays a
  // break, or the next verify would call the log intact once a new head vouches for the cut end.
  const alarm = broken ? undefined : summaries.flatMap((s) => s.alarms.map((a) => ({ ...a, segment: s.name })))[0];
  if (alarm) {
    broken = {
      code: alarm.event === 'audit.head-missing' ? 'AUDIT_HEAD_MISSING' : 'AUDIT_LOG_TRUNCATED',
      segment: alarm.segment,
      line: alarm.line,
      offset: alarm.offset,
      seq: alarm.seq,
      message:
        alarm.event === 'audit.head-missing'
          ? `Record ${alarm.seq} at ${alarm.segment}:${alarm.line} notes that the head checkpoint was missing when the engine started: records may have been removed from the end of the log before it. The records after it link up, but that end cannot be vouched for.`
          : `Record ${alarm.seq} at ${alarm.segment}:${alarm.line} notes that records had been removed from the end of the log when the engine started (its data names them). The records after it link up, but the removed ones are gone.`,
    };
  }
  if (!broken) {
    if (!head && records > 0) {
      broken = { code: 'AUDIT_HEAD_MISSING', segment: 'head.json', line: 1, offset: 0, message: 'The head checkpoint (head.json) is missing, so removal of records at the end of the log cannot be ruled out.' };
    } else if (head && head.seq > 0 && headHash !== head.hash) {
      broken = {
        code: 'AUDIT_LOG_TRUNCATED',
        segment: segments[segments.length - 1]?.name ?? 'head.json',
        line: 0,
        offset: 0,
        seq: head.seq,
        expectedSeq: lastSeq + 1,
        message:
          head.seq > lastSeq
            ? `The log ends at record ${lastSeq}, but record ${head.seq} was written (head checkpoint): records ${lastSeq + 1}..${head.seq} or whole segments were removed from the end.`
            : `Record ${head.seq} differs from the one the head checkpoint vouches for: the end of the log was rewritten.`,
      };
    }
  }
  return {
    ok: !broken,
    dir,
    checkedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    segments: segments.length,
    records,
    ...(firstSeq !== undefined ? { firstSeq, lastSeq, lastHash } : {}),
    ...(head ? { head } : {}),
    ...(broken ? { firstBroken: broken } : {}),
    notes,
  };
}

/** Verifies the audit directory. A segment removed by retention while reading makes it start over. */
export async function verifyAuditDir(dir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await verifyOnce(dir, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
}
