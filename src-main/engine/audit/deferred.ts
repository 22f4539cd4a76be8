// The engine's audit point before and after the log is open. The engine is built (and hands its
// audit point to the gateway and the guardian) before it holds the data directory's lock; the log,
// which must have one writer only, opens after the lock. Until then, and after close, every record
// is refused, so no call goes through unrecorded.
import type { Writable } from 'node:stream';
import type { DataPaths } from '../paths.js';
import type { AuditPoint, CallOutcome, Decision, ToolCall } from '../pipeline.js';
import { AuditError } from './errors.js';
import type { ExportOptions } from './export.js';
import { openAuditLog, type AuditLog, type AuditLogOptions } from './index.js';
import type { PackOptions, PackResult } from './pack.js';
import type { AuditPage, AuditQuery } from './query.js';
import type { VerifyReport } from './verify.js';
import type { TornTailRepair } from './writer.js';

export class DeferredAuditLog implements AuditPoint {
  #log: AuditLog | undefined;

  get log(): AuditLog | undefined {
    return this.#log;
  }

  get repair(): TornTailRepair | undefined {
    return this.#log?.repair;
  }

  async open(paths: Pick<DataPaths, 'audit'>, options: AuditLogOptions = {}): Promise<AuditLog> {
    if (this.#log) return this.#log;
    this.#log = await openAuditLog(paths, options);
    return this.#log;
  }

  #require(): AuditLog {
    if (!this.#log) throw new AuditError('AUDIT_CLOSED', 'The audit log is not open, so no record can be written and the call is refused.');
    return this.#log;
  }

  decided(call: ToolCall, decision: Decision): Promise<void> {
    return this.#log ? this.#log.decided(call, decision) : Promise.reject(this.#closedError());
  }

  finished(call: ToolCall, decision: Decision, outcome: CallOutcome): Promise<void> {
    return this.#log ? this.#log.finished(call, decision, outcome) : Promise.reject(this.#closedError());
  }

  event(kind: string, data: Record<string, unknown>): Promise<void> {
    return this.#log ? this.#log.event(kind, data) : Promise.reject(this.#closedError());
  }

  async query(query?: AuditQuery): Promise<AuditPage> {
    return this.#require().query(query);
  }

  async verify(): Promise<VerifyReport> {
    return this.#require().verify();
  }

  async export(options: ExportOptions, out: Writable): Promise<{ records: number }> {
    return this.#require().export(options, out);
  }

  async pack(options: PackOptions): Promise<PackResult> {
    return this.#require().pack(options);
  }

  async close(): Promise<void> {
    const log = this.#log;
    this.#log = undefined;
    await log?.close();
  }

  #closedError(): AuditError {
    return new AuditError('AUDIT_CLOSED', 'The audit log is not open, so no record can be written and the call is refused.');
  }
}
