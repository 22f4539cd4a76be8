// What one audit record holds, and how a tool call, its decision and its outcome become records.
// Metadata first: argument names and a digest, never values, unless capture is on for the server
// (and then with secrets redacted). Pure.
import type { CallStatus, Risk } from '../../../shared/words.js';
import type { CallOutcome, Decision, ToolCall } from '../pipeline.js';
import { argumentNames, argumentsDigest, canonicalJson } from './canonical.js';
import { redactSecrets, redactText } from './redact.js';

export interface AuditClient {
  id: string;
  name?: string;
  version?: string;
}

/** Fields every record carries; `seq`, `prev` and `hash` form the chain. */
export interface RecordHead {
  seq: number;
  prev: string;
  time: string;
  hash: string;
}

export interface CallFields {
  callId: string;
  sessionId: string;
  client: AuditClient;
  server: string;
  tool: string;
  effect: 'allow' | 'deny';
  ruleId: string;
  consentId?: string;
  approver?: string;
  argDigest: string;
}

export interface DecisionRecord extends RecordHead, CallFields {
  type: 'decision';
  reasons: string[];
  risk?: Risk;
  /** Set when the decision is a refusal: `denied` by a rule, `timeout` when an approval ran out, `cancelled` when the client cancelled the call while it waited. */
  status?: 'denied' | 'timeout' | 'cancelled';
  argNames: string[];
  /** Captured arguments (redacted); only when capture is on for the server. */
  args?: unknown;
}

export interface OutcomeRecord extends RecordHead, CallFields {
  type: 'outcome';
  status: CallStatus;
  durationMs: number;
  /** Captured result (redacted); only when capture is on for the server. */
  result?: unknown;
  /** The server's error message (redacted); only when capture is on for the server. */
  error?: string;
}

export interface EventRecord extends RecordHead {
  type: 'event';
  event: string;
  data: Record<string, unknown>;
}

export type AuditRecord = DecisionRecord | OutcomeRecord | EventRecord;
/** A record before the chain writer gives it `seq`, `prev` and `hash`. */
export type UnsealedRecord = DistributiveOmit<AuditRecord, 'seq' | 'prev' | 'hash'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Fields that hold payloads: excluded from free-text search and from CSV/CEF exports. */
export const PAYLOAD_FIELDS = ['args', 'result', 'error'] as const;

/** Captured payloads larger than this are cut, with a note saying so. */
export const MAX_CAPTURE_CHARS = 64 * 1024;

function capture(value: unknown): unknown {
  const redacted = redactSecrets(value);
  const text = canonicalJson(redacted);
  if (text.length <= MAX_CAPTURE_CHARS) return redacted;
  return { truncated: true, chars: text.length, preview: redactText(text.slice(0, MAX_CAPTURE_CHARS)) };
}

/** A call's argument digest, made once for its decision record and reused for its outcome record. */
const digests = new WeakMap<ToolCall, string>();
function digestOf(call: ToolCall): string {
  let digest = digests.get(call);
  if (digest === undefined) {
    digest = argumentsDigest(call.arguments);
    digests.set(call, digest);
  }
  return digest;
}

function callFields(call: ToolCall, decision: Decision): CallFields {
  const client: AuditClient = { id: call.client.id };
  if (call.client.name !== undefined) client.name = call.client.name;
  if (call.client.version !== undefined) client.version = call.client.version;
  const fields: CallFields = {
    callId: call.callId,
    sessionId: call.sessionId,
    client,
    server: call.server,
    tool: call.tool,
    effect: decision.effect,
    ruleId: decision.ruleId,
    argDigest: digestOf(call),
  };
  if (decision.consentId !== undefined) fields.consentId = decision.consentId;
  if (decision.approver !== undefined) fields.approver = decision.approver;
  return fields;
}

export function decisionRecord(call: ToolCall, decision: Decision, time: string, capturePayloads: boolean): UnsealedRecord {
  const { argDigest, ...rest } = callFields(call, decision);
  const record: Omit<DecisionRecord, 'seq' | 'prev' | 'hash'> = {
    time,
    type: 'decision',
    ...rest,
    reasons: [...decision.reasons],
    argNames: argumentNames(call.arguments),
    argDigest,
  };
  if (decision.risk !== undefined) record.risk = decision.risk;
  if (decision.effect === 'deny') record.status = decision.status ?? 'denied';
  if (capturePayloads) record.args = capture(call.arguments ?? {});
  return record;
}

export function outcomeRecord(call: ToolCall, decision: Decision, outcome: CallOutcome, time: string, capturePayloads: boolean): UnsealedRecord {
  const record: Omit<OutcomeRecord, 'seq' | 'prev' | 'hash'> = {
    time,
    type: 'outcome',
    ...callFields(call, decision),
    status: outcome.status,
    durationMs: Math.max(0, Math.round(outcome.durationMs)),
  };
  if (capturePayloads) {
    if (outcome.result !== undefined) record.result = capture(outcome.result);
    if (outcome.errorMessage !== undefined) record.error = redactText(outcome.errorMessage).slice(0, MAX_CAPTURE_CHARS);
  }
  return record;
}

export function eventRecord(event: string, data: Record<string, unknown>, time: string): UnsealedRecord {
  return { time, type: 'event', event, data: redactSecrets(data) as Record<string, unknown> };
}

/** The record without its payload fields: what free-text search and the CSV/CEF exports see. */
export function metadataOf(record: AuditRecord): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...record };
  for (const field of PAYLOAD_FIELDS) delete copy[field];
  return copy;
}
