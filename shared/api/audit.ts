// The audit log's part of the contract: the Activity screen's queries, the chart's counts, verification
// and export. Records are metadata: argument and result values appear only where payload capture was on.
import { z } from 'zod';
import { method } from './contract.js';
import { CallStatus, Risk } from '../words.js';

const Time = z.union([z.string().min(1), z.number()]);

export const AuditQueryInput = z.object({
  /** Inclusive bounds (ISO 8601, epoch ms, or an age like `24h`). */
  since: Time.optional(),
  until: Time.optional(),
  /** A client id (token-bound) or the name a client claimed. */
  client: z.string().min(1).optional(),
  server: z.string().min(1).optional(),
  tool: z.string().min(1).optional(),
  effect: z.enum(['allow', 'deny']).optional(),
  status: CallStatus.optional(),
  type: z.enum(['decision', 'outcome', 'event']).optional(),
  event: z.string().min(1).optional(),
  callId: z.string().min(1).optional(),
  /** Case-insensitive text over each record's metadata (never over captured payloads). */
  text: z.string().min(1).max(200).optional(),
  before: z.number().int().optional(),
  after: z.number().int().optional(),
  order: z.enum(['newest', 'oldest']).default('newest'),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type AuditQueryInput = z.input<typeof AuditQueryInput>;

/** One record of the chain as the UI reads it (decision, outcome or event). */
export const AuditRecordView = z.object({
  seq: z.number().int(),
  time: z.string(),
  type: z.enum(['decision', 'outcome', 'event']),
  hash: z.string(),
  prev: z.string(),
  callId: z.string().optional(),
  sessionId: z.string().optional(),
  client: z.object({ id: z.string(), name: z.string().optional(), version: z.string().optional() }).optional(),
  server: z.string().optional(),
  tool: z.string().optional(),
  effect: z.enum(['allow', 'deny']).optional(),
  ruleId: z.string().optional(),
  consentId: z.string().optional(),
  approver: z.string().optional(),
  reasons: z.array(z.string()).optional(),
  risk: Risk.optional(),
  status: CallStatus.optional(),
  durationMs: z.number().optional(),
  argNames: z.array(z.string()).optional(),
  argDigest: z.string().optional(),
  args: z.unknown().optional(),
  result: z.unknown().optional(),
  error: z.string().optional(),
  event: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type AuditRecordView = z.infer<typeof AuditRecordView>;

export const AuditPageView = z.object({
  records: z.array(AuditRecordView),
  /** Pass as `before` (newest first) or `after` (oldest first) for the next page; absent on the last page. */
  nextCursor: z.number().int().optional(),
});

/**
 * A decision the way a person reads it: allowed by policy, approved by a person, denied (by policy,
 * a person or a timeout), or cancelled by the client while it waited for approval (nobody denied it).
 */
export type DecisionKind = 'allowed' | 'approved' | 'denied' | 'cancelled';

export function decisionKind(record: Pick<AuditRecordView, 'effect' | 'approver'>): DecisionKind {
  if (record.effect === 'deny') return record.approver === 'client' ? 'cancelled' : 'denied';
  return record.approver?.startsWith('user:') ? 'approved' : 'allowed';
}

/** Decisions over time, in equal buckets, split the way a person reads them (decisionKind). */
export const ActivityHistogram = z.object({
  start: z.string(),
  bucketMs: z.number(),
  buckets: z.array(z.object({ allowed: z.number().int(), approved: z.number().int(), denied: z.number().int(), cancelled: z.number().int() })),
  /** Decisions counted (the newest `max` at most). */
  counted: z.number().int(),
  capped: z.boolean(),
});
export type ActivityHistogram = z.infer<typeof ActivityHistogram>;

export const VerifyView = z.object({
  ok: z.boolean(),
  records: z.number().int(),
  segments: z.number().int(),
  durationMs: z.number(),
  checkedAt: z.string(),
  lastSeq: z.number().int().optional(),
  firstBroken: z.object({ code: z.string(), message: z.string(), segment: z.string().optional(), line: z.number().optional(), seq: z.number().optional() }).optional(),
  notes: z.array(z.string()),
});
export type VerifyView = z.infer<typeof VerifyView>;

export const ExportInput = z.object({
  format: z.enum(['jsonl', 'csv', 'cef']),
  since: Time.optional(),
  until: Time.optional(),
});

export const auditMethods = {
  'audit.query': method({ input: AuditQueryInput, output: AuditPageView, mutates: false, description: 'A page of audit records, newest first by default, filtered.' }),
  'audit.histogram': method({
    input: z.object({ buckets: z.number().int().min(1).max(200).default(48), since: Time.optional(), max: z.number().int().min(1).max(100_000).default(20_000) }),
    output: ActivityHistogram,
    mutates: false,
    description: 'Decisions over time by effect (allowed by policy, approved by a person, denied), for the chart.',
  }),
  'audit.verify': method({ input: z.object({}).default({}), output: VerifyView, mutates: false, description: "Check the chain: an edit, a deletion, a reordering or a truncation is found." }),
  'audit.export': method({
    input: ExportInput,
    output: z.object({ format: z.string(), records: z.number().int(), content: z.string(), filename: z.string() }),
    mutates: false,
    description: 'Export records as JSONL, CSV or CEF (up to 64 MiB through the API; use `warden audit export` beyond).',
  }),
};

export const auditEvents = {};
