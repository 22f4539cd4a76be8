// Engine-side handlers for shared/api/audit.ts, over the audit log's query, verify and export.
import { Writable } from 'node:stream';
import type { Handlers } from '../../../shared/api/contract.js';
import { decisionKind, type ActivityHistogram, type AuditRecordView, type auditMethods } from '../../../shared/api/audit.js';
import type { AuditPage, AuditQuery, ExportOptions, VerifyReport } from '../audit/index.js';
import { WardenError } from '../errors.js';

/** What the handlers need of the audit log (the engine's AuditLog, or a read-only reader). */
export interface AuditSource {
  query(query?: AuditQuery): Promise<AuditPage>;
  verify(): Promise<VerifyReport>;
  export(options: ExportOptions, out: Writable): Promise<{ records: number }>;
}

const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

/** Counts decisions into equal buckets from `start` to `end`. Pure. */
export function histogram(records: Array<Pick<AuditRecordView, 'time' | 'effect' | 'approver'>>, start: number, end: number, buckets: number): Omit<ActivityHistogram, 'counted' | 'capped'> {
  const span = Math.max(60_000, end - start);
  const bucketMs = Math.ceil(span / buckets);
  const out = Array.from({ length: buckets }, () => ({ allowed: 0, approved: 0, denied: 0, cancelled: 0 }));
  for (const record of records) {
    const t = Date.parse(record.time);
    if (!(t >= start && t <= start + bucketMs * buckets)) continue;
    const i = Math.min(buckets - 1, Math.floor((t - start) / bucketMs));
    out[i]![decisionKind(record)] += 1;
  }
  return { start: new Date(start).toISOString(), bucketMs, buckets: out };
}

function noLog(): never {
  throw new WardenError('not_found', 'The audit log is not open in this engine.');
}

export function auditHandlers(source: () => AuditSource | undefined, now: () => number = Date.now): Handlers<typeof auditMethods> {
  const log = () => source() ?? noLog();
  return {
    'audit.query': async (query) => {
      // A call id goes to the log's own callId filter, which uses its index (not a text search).
      const page = await log().query(query);
      return { records: page.records as AuditRecordView[], nextCursor: page.nextCursor };
    },
    'audit.histogram': async ({ buckets, since, max }) => {
      const decisions: AuditRecordView[] = [];
      let before: number | undefined;
      let capped = false;
      for (;;) {
        const page = await log().query({ type: 'decision', since, before, limit: 1000 });
        decisions.push(...(page.records as AuditRecordView[]));
        if (decisions.length >= max) {
          capped = page.nextCursor !== undefined || decisions.length > max;
          decisions.length = Math.min(decisions.length, max);
          break;
        }
        if (page.nextCursor === undefined) break;
        before = page.nextCursor;
      }
      const end = now();
      const oldest = decisions.length ? Date.parse(decisions[decisions.length - 1]!.time) : end - 3_600_000;
      // At least the last hour, so that a quiet log still reads as a timeline ending now.
      const start = since !== undefined && !capped && typeof since === 'string' && !Number.isNaN(Date.parse(since)) ? Date.parse(since) : Math.min(oldest, end - 3_600_000);
      return { ...histogram(decisions, start, end, buckets), counted: decisions.length, capped };
    },
    'audit.verify': async () => {
      const report = await log().verify();
      return {
        ok: report.ok,
        records: report.records,
        segments: report.segments,
        durationMs: report.durationMs,
        checkedAt: report.checkedAt,
        lastSeq: report.lastSeq,
        firstBroken: report.firstBroken
          ? { code: report.firstBroken.code, message: report.firstBroken.message, segment: report.firstBroken.segment, line: report.firstBroken.line, seq: report.firstBroken.seq }
          : undefined,
        notes: report.notes,
      };
    },
    'audit.export': async ({ format, since, until }) => {
      let content = '';
      let tooLarge = false;
      const sink = new Writable({
        write(chunk: Buffer | string, _encoding, callback) {
          if (content.length + chunk.length > MAX_EXPORT_CHARS) tooLarge = true;
          else content += chunk.toString();
          callback();
        },
      });
      const { records } = await log().export({ format, since, until }, sink);
      if (tooLarge) throw new WardenError('bad_input', `The export is larger than 64 MiB: narrow the time range, or use \`warden audit export --format ${format} --out FILE\`.`);
      const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
      return { format, records, content, filename: `warden-audit-${stamp}.${format === 'jsonl' ? 'jsonl' : format === 'csv' ? 'csv' : 'cef.log'}` };
    },
  };
}

/** The engine's audit point when it is the audit log (it can be queried), else undefined. */
export function auditSourceOf(point: unknown): AuditSource | undefined {
  const p = point as Partial<AuditSource> | undefined;
  return p && typeof p.query === 'function' && typeof p.verify === 'function' && typeof p.export === 'function' ? (p as AuditSource) : undefined;
}
