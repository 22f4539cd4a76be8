// The guardian's data as both sides see it: standing rules, per-tool overrides, consents, pins,
// pending approvals and the decision views the UI and the CLI show. Stored in policy.json (rules,
// overrides, time-limited consents, pins, approval settings); the rest lives in the running engine.
import { z } from 'zod';
import { Effect, Risk, Tier } from './words.js';

/** A server or tool name in a rule; `*` matches any. */
const NamePattern = z.string().min(1).max(200);

/**
 * A constraint on one argument. `prefix`: the argument (a path, or every path of an array) lies under
 * this directory after normalising `.`/`..`; `equals`: the argument is exactly this value.
 */
export const ArgConstraint = z.discriminatedUnion('op', [
  z.object({ arg: z.string().min(1), op: z.literal('prefix'), value: z.string().min(1) }),
  z.object({ arg: z.string().min(1), op: z.literal('equals'), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }),
]);
export type ArgConstraint = z.infer<typeof ArgConstraint>;

/** A standing rule of the user ("always allow", "always deny", ...). All constraints must hold. */
export const Rule = z.object({
  id: z.string().regex(/^r[0-9]+$/),
  server: NamePattern,
  tool: NamePattern,
  effect: Effect,
  when: z.array(ArgConstraint).default([]),
  /** Only calls from this client (its token-bound id). */
  client: z.string().optional(),
  /** The consent that created this rule, when a person answered an approval with "always". */
  consentId: z.string().optional(),
  note: z.string().max(500).optional(),
  createdAt: z.string(),
});
export type Rule = z.infer<typeof Rule>;
export type RuleInput = z.input<typeof Rule>;

/** A per-tool override of the tier default; `hidden` removes a denied tool from tools/list. */
export const Override = z.object({
  server: z.string().min(1),
  tool: z.string().min(1),
  effect: Effect,
  hidden: z.boolean().default(false),
});
export type Override = z.infer<typeof Override>;

/** How long an answer to an approval lasts. */
export const ConsentScope = z.enum(['once', '5m', '1h', 'session', 'always']);
export type ConsentScope = z.infer<typeof ConsentScope>;

/** The record every answer to an approval creates. */
export const Consent = z.object({
  id: z.string().regex(/^c[0-9a-z]+$/),
  effect: z.enum(['allow', 'deny']),
  scope: ConsentScope,
  server: z.string(),
  tool: z.string(),
  /** The client the consent holds for (time-limited and session consents); standing ones hold for all. */
  client: z.string().optional(),
  /** The session the consent holds for (scope `session`). */
  sessionId: z.string().optional(),
  when: z.array(ArgConstraint).default([]),
  approvalId: z.string().optional(),
  /** Who answered: `user:ui`, `user:cli`, `user:elicitation`, ... */
  approver: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().optional(),
  /** The standing rule an `always` answer created. */
  ruleId: z.string().optional(),
});
export type Consent = z.infer<typeof Consent>;

/** A tool's definition as pinned: what the hash covers. */
export const PinnedDefinition = z.object({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: z.unknown(),
  outputSchema: z.unknown().optional(),
  annotations: z.unknown().optional(),
});
export type PinnedDefinition = z.infer<typeof PinnedDefinition>;

export const Pin = z.object({
  hash: z.string(),
  definition: PinnedDefinition,
  firstSeen: z.string(),
  acceptedAt: z.string().optional(),
  /** Seen after the server's first listing: a new tool on a known server, until accepted. */
  isNew: z.boolean().default(false),
  /** A definition that differs from the pinned one, waiting to be accepted. */
  pending: z.object({ hash: z.string(), definition: PinnedDefinition, seenAt: z.string() }).optional(),
});
export type Pin = z.infer<typeof Pin>;

export const ApprovalSettings = z.object({
  /** No answer within this many seconds means deny. Shorter than clients' usual 60-second timeout. */
  timeoutSeconds: z.number().int().min(1).max(3600).default(45),
  /** Ask inside the client (MCP elicitation) when the client supports it. */
  elicitation: z.boolean().default(true),
  /** Seconds between progress notifications while a call waits. */
  progressSeconds: z.number().min(0.05).max(60).default(5),
});
export type ApprovalSettings = z.infer<typeof ApprovalSettings>;

/** policy.json */
export const PolicyFile = z.object({
  version: z.literal(1).default(1),
  nextRule: z.number().int().min(1).default(1),
  rules: z.array(Rule).default([]),
  overrides: z.array(Override).default([]),
  /** Time-limited consents (5m, 1h) survive a restart until they expire; session ones do not. */
  consents: z.array(Consent).default([]),
  pins: z.record(z.string(), z.record(z.string(), Pin)).default({}),
  approvals: ApprovalSettings.default({ timeoutSeconds: 45, elicitation: true, progressSeconds: 5 }),
});
export type PolicyFile = z.infer<typeof PolicyFile>;

/** Managed policy from IT: defined in managed.ts (type-only here, so the two modules do not import each other at run time). */
export type { ManagedPolicy, ManagedRule } from './managed.js';

/** Something suspicious found in a tool's definition (tool poisoning). */
export const FlagKind = z.enum(['hidden-instruction', 'secret-request', 'shadowing', 'invisible-unicode', 'encoded-blob', 'exfiltration']);
export type FlagKind = z.infer<typeof FlagKind>;
export const Flag = z.object({ kind: FlagKind, message: z.string(), excerpt: z.string() });
export type Flag = z.infer<typeof Flag>;

export const PinChange = z.object({
  field: z.enum(['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations']),
  summary: z.string(),
  before: z.string(),
  after: z.string(),
});
export type PinChange = z.infer<typeof PinChange>;

export const PinStatus = z.enum(['pinned', 'new', 'changed', 'unknown']);
export type PinStatus = z.infer<typeof PinStatus>;

/** One pending approval, as the approval card and `warden approvals list` show it. */
export const ApprovalView = z.object({
  id: z.string(),
  server: z.string(),
  tool: z.string(),
  client: z.object({ id: z.string(), name: z.string().optional(), version: z.string().optional() }),
  sessionId: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  risk: Risk,
  tier: Tier,
  reasons: z.array(z.string()),
  flags: z.array(Flag),
  pinChanges: z.array(PinChange),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** How many calls wait on this approval (the same call asked again joins the first). */
  waiting: z.number().int(),
  /** A person is looking at it (the card is open): the timeout is paused, up to a limit. */
  held: z.boolean().optional(),
  /** Why "always allow" is not offered (managed policy turns it off, or fixes the server at restricted). */
  noAlwaysAllow: z.string().optional(),
});
export type ApprovalView = z.infer<typeof ApprovalView>;

export const AnswerChoice = z.object({
  effect: z.enum(['allow', 'deny']),
  scope: ConsentScope.default('once'),
  /** For `always` (and timed) answers: hold only when these argument constraints hold. */
  when: z.array(ArgConstraint).default([]),
  /** Accept a changed tool definition with this answer (default: yes for an allow beyond `once`). */
  acceptPin: z.boolean().optional(),
});
export type AnswerChoice = z.infer<typeof AnswerChoice>;
export type AnswerChoiceInput = z.input<typeof AnswerChoice>;

/** A decision without performing it: `warden policy check`, the Servers & tools view. */
export const DecisionView = z.object({
  server: z.string(),
  tool: z.string(),
  effect: Effect,
  ruleId: z.string(),
  reasons: z.array(z.string()),
  risk: Risk,
  tier: Tier,
  flags: z.array(Flag),
  pinStatus: PinStatus,
  pinChanges: z.array(PinChange),
  hidden: z.boolean(),
  consentId: z.string().optional(),
});
export type DecisionView = z.infer<typeof DecisionView>;

/** A tool of a server with its policy view (Servers & tools). */
export const ToolPolicyView = DecisionView.extend({ description: z.string().optional(), override: Effect.optional() });
export type ToolPolicyView = z.infer<typeof ToolPolicyView>;
