// The audit log: the engine's AuditPoint, plus query, verify, export and evidence packs.
// `openAuditLog` is the writer (one per data directory: the engine); `openAuditReader` reads the same
// files from anywhere (the CLI), while an engine writes or not.
import type { Writable } from 'node:stream';
import type { DataPaths } from '../paths.js';
import type { AuditPoint, CallOutcome, Decision, ToolCall } from '../pipeline.js';
import { nodeAuditFs, type AuditFs } from './audit-fs.js';
import { parseLine } from './chain.js';
import { AuditError } from './errors.js';
import { exportRecords, type ExportOptions } from './export.js';
import { writeEvidencePack, type PackOptions, type PackResult } from './pack.js';
import { AuditReader, type AuditPage, type AuditQuery } from './query.js';
import { decisionRecord, eventRecord, outcomeRecord } from './record.js';
import { SyslogForwarder, type SyslogTarget } from './syslog.js';
import { verifyAuditDir, type VerifyReport } from './verify.js';
import { ChainWriter, type TornTailRepair, type WriterOptions } from './writer.js';

export type { AuditPage, AuditQuery } from './query.js';
export type { VerifyReport } from './verify.js';
export type { TornTailRepair } from './writer.js';
export type { SyslogTarget } from './syslog.js';
export type { AuditRecord, DecisionRecord, OutcomeRecord, EventRecord } from './record.js';
export type { ExportFormat, ExportOptions } from './export.js';
export type { PackOptions, PackResult } from './pack.js';
export type { AuditFs, AppendHandle } from './audit-fs.js';
export { AuditError } from './errors.js';

export interface AuditLogOptions {
  /** Whether payloads (argument and result values) are captured for a server: ServerConfig.capturePayloads. Default: never. */
  capturePayloads?: (server: string) => boolean;
  /** Rotate when a segment would grow past this many bytes. Default 64 MiB. */
  maxSegmentBytes?: number;
  /** Rotate when the UTC day changes. Default true. */
  rotateDaily?: boolean;
  /** Remove whole segments older than this many days; 0 keeps everything. Default 365. */
  retentionDays?: number;
  /** Also remove the oldest whole segments while the log is larger than this many bytes; 0: no size limit (default). */
  retentionMaxBytes?: number;
  /** Never remove for size what holds records from the last this many days (managed audit.minRetentionDays). */
  retentionFloorDays?: number;
  /** Forward every durable record to these syslog receivers (RFC 5424 + CEF). */
  syslog?: SyslogTarget[];
  /** Non-fatal problems (syslog unreachable, an index that could not be written). */
  onWarning?: (message: string) => void;
  now?: () => number;
  /** File operations seam (tests inject failures). */
  fs?: AuditFs;
}

export interface AuditLog extends AuditPoint {
  readonly dir: string;
  /** The torn tail cut when the log was opened (also on record as an `audit.repaired` event). */
  readonly repair: TornTailRepair | undefined;
  /** The last acknowledged record's seq and hash (in the file; fdatasync follows within milliseconds). */
  lastWritten(): { seq: number; hash: string };
  query(query?: AuditQuery): Promise<AuditPage>;
  verify(): Promise<VerifyReport>;
  export(options: ExportOptions, out: Writable): Promise<{ records: number }>;
  pack(options: PackOptions): Promise<PackResult>;
  /**
   * Changes forwarding and retention while the log is open (settings or managed policy changed):
   * receivers no longer named are closed after sending what they hold, new ones start with the next
   * record; a new retention period applies at once.
   */
  configure(options: Pick<AuditLogOptions, 'syslog' | 'retentionDays' | 'retentionMaxBytes' | 'retentionFloorDays'>): void;
  /** Waits for queued records, then closes files and syslog connections. */
  close(): Promise<void>;
}

const done = () => undefined;

/** Runs an append; a record that cannot even be built (bad input) rejects like a failed write. */
function settle(append: () => Promise<unknown>): Promise<void> {
  try {
    return append().then(done);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

const DEFAULTS = { maxSegmentBytes: 64 * 1024 * 1024, rotateDaily: true, retentionDays: 365 };

function checkOptions(options: AuditLogOptions): void {
  const { maxSegmentBytes, retentionDays, retentionMaxBytes } = options;
  if (retentionMaxBytes !== undefined && !(Number.isInteger(retentionMaxBytes) && retentionMaxBytes >= 0)) {
    throw new AuditError('AUDIT_BAD_OPTION', `retentionMaxBytes must be a whole number of bytes (0: no size limit), not ${retentionMaxBytes}.`);
  }
  if (maxSegmentBytes !== undefined && !(Number.isInteger(maxSegmentBytes) && maxSegmentBytes >= 4096 && maxSegmentBytes <= 2 ** 31)) {
    throw new AuditError('AUDIT_BAD_OPTION', `maxSegmentBytes must be an integer from 4096 to 2^31, not ${maxSegmentBytes}.`);
  }
  if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays >= 0)) {
    throw new AuditError('AUDIT_BAD_OPTION', `retentionDays must be a whole number of days (0 keeps everything), not ${retentionDays}.`);
  }
  for (const target of options.syslog ?? []) {
    if (!target.host || !Number.isInteger(target.port) || target.port < 1 || target.port > 65535 || !['udp', 'tcp', 'tls'].includes(target.protocol)) {
      throw new AuditError('AUDIT_BAD_OPTION', `Syslog target ${JSON.stringify(target)} needs a host, a port 1..65535 and protocol udp, tcp or tls.`);
    }
  }
}

export async function openAuditLog(paths: Pick<DataPaths, 'audit'>, options: AuditLogOptions = {}): Promise<AuditLog> {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const warn = options.onWarning ?? (() => undefined);
  const capture = options.capturePayloads ?? (() => false);
  // Kept: configure() changes retentionDays in place (the writer reads it at each retention pass).
  const writerOptions: WriterOptions = {
    maxSegmentBytes: options.maxSegmentBytes ?? DEFAULTS.maxSegmentBytes,
    rotateDaily: options.rotateDaily ?? DEFAULTS.rotateDaily,
    retentionDays: options.retentionDays ?? DEFAULTS.retentionDays,
    retentionMaxBytes: options.retentionMaxBytes ?? 0,
    retentionFloorDays: options.retentionFloorDays ?? 0,
    now,
    fs: options.fs ?? nodeAuditFs,
  };
  const writer = await ChainWriter.open(paths.audit, writerOptions);
  writer.onWarning = warn;
  let forwarders: SyslogForwarder[] = [];
  const closing: Array<Promise<void>> = [];
  const forwardTo = (targets: SyslogTarget[]) => {
    const key = (t: SyslogTarget) => JSON.stringify([t.host, t.port, t.protocol, t.facility, t.appName, t.caFile, t.certFile, t.keyFile, t.serverName]);
    const wanted = new Map(targets.map((t) => [key(t), t]));
    const kept = forwarders.filter((f) => wanted.has(key(f.target)));
    for (const f of forwarders) if (!kept.includes(f)) closing.push(f.close().catch(() => undefined));
    const have = new Set(kept.map((f) => key(f.target)));
    forwarders = [...kept, ...[...wanted].filter(([k]) => !have.has(k)).map(([, t]) => new SyslogForwarder(t, warn))];
    writer.onDurable =
      forwarders.length === 0
        ? undefined
        : (lines) => {
            const records = lines.map((l) => parseLine(l.line));
            for (const forwarder of forwarders) forwarder.send(records);
          };
  };
  forwardTo(options.syslog ?? []);
  const reader = new AuditReader(paths.audit, () => (writer.active ? { segment: writer.active, index: writer.activeIndex } : undefined));
  // Many records share a millisecond: format each millisecond once.
  let lastMs = NaN;
  let lastIso = '';
  const isoNow = () => {
    const ms = now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
  const captureFor = (server: string) => {
    try {
      return capture(server) === true;
    } catch {
      return false;
    }
  };

  return {
    dir: paths.audit,
    repair: writer.repair,
    lastWritten: () => writer.lastWritten,
    decided(call: ToolCall, decision: Decision) {
      return settle(() => writer.append(decisionRecord(call, decision, isoNow(), captureFor(call.server))));
    },
    finished(call: ToolCall, decision: Decision, outcome: CallOutcome) {
      // Nothing waits for an outcome record: it may share the next call's write.
      return settle(() => writer.append(outcomeRecord(call, decision, outcome, isoNow(), captureFor(call.server)), false));
    },
    event(kind: string, data: Record<string, unknown>) {
      return settle(() => writer.append(eventRecord(kind, data, isoNow())));
    },
    query: (query) => reader.query(query, now()),
    verify: () => verifyAuditDir(paths.audit),
    export: (exportOptions, out) => exportRecords(reader, exportOptions, out),
    pack: (packOptions) => writeEvidencePack(reader, { now: now(), ...packOptions }),
    configure(next) {
      checkOptions(next);
      if (next.syslog) forwardTo(next.syslog);
      let changed = false;
      for (const key of ['retentionDays', 'retentionMaxBytes', 'retentionFloorDays'] as const) {
        const value = next[key];
        if (value !== undefined && value !== writerOptions[key]) {
          writerOptions[key] = value;
          changed = true;
        }
      }
      if (changed) void writer.applyRetention().catch((error: Error) => warn(`Audit retention could not run: ${error.message}`));
    },
    async close() {
      await writer.close();
      await Promise.all([...forwarders.map((f) => f.close()), ...closing]);
    },
  };
}

/** Read-only access for the CLI and tools: query, verify, export and pack, with or without a running engine. */
export function openAuditReader(paths: Pick<DataPaths, 'audit'>) {
  const reader = new AuditReader(paths.audit);
  return {
    dir: paths.audit,
    reader,
    query: (query?: AuditQuery) => reader.query(query),
    verify: () => verifyAuditDir(paths.audit),
    export: (options: ExportOptions, out: Writable) => exportRecords(reader, options, out),
    pack: (options: PackOptions) => writeEvidencePack(reader, options),
  };
}
export type AuditLogReader = ReturnType<typeof openAuditReader>;
