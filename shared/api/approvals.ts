// The guardian's part of the contract: pending approvals and answers, consents, standing rules,
// per-tool overrides, tiers, pins and the dry-run check.
import { z } from 'zod';
import { method } from './contract.js';
import {
  AnswerChoice,
  ApprovalSettings,
  ApprovalView,
  ArgConstraint,
  Consent,
  DecisionView,
  Override,
  Pin,
  Rule,
  ToolPolicyView,
} from '../policy.js';
import { Effect, Tier } from '../words.js';

const Empty = z.object({}).default({});
const Id = z.object({ id: z.string().min(1) });
const ServerTool = z.object({ server: z.string().min(1), tool: z.string().min(1) });

/** Who answered or accepted, for the record: `ui`, `cli`, `notification`... recorded as `user:<via>`. */
const Via = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/).default('ui');

export const AnswerInput = AnswerChoice.extend({
  id: z.string().min(1),
  via: Via,
});

export const CheckInput = z.object({
  server: z.string().min(1),
  tool: z.string().min(1),
  args: z.record(z.string(), z.unknown()).default({}),
  client: z.string().optional(),
  /** Ask the server for its tools when Warden has not seen this one listed (default: yes). */
  learn: z.boolean().default(true),
});

export const RuleInput = z.object({
  server: z.string().min(1),
  tool: z.string().min(1),
  effect: Effect,
  when: z.array(ArgConstraint).default([]),
  client: z.string().optional(),
  note: z.string().max(500).optional(),
});

/** Only the keys given: ApprovalSettings.partial() would fill in defaults, so a read would write them. */
export const ApprovalSettingsPatch = z
  .object({ timeoutSeconds: z.number().int().min(1).max(3600), elicitation: z.boolean(), progressSeconds: z.number().min(0.05).max(60) })
  .partial()
  .default({});

export const approvalMethods = {
  'approvals.list': method({ input: Empty, output: z.array(ApprovalView), mutates: false, description: 'Calls waiting for a person to approve them.' }),
  'approvals.answer': method({ input: AnswerInput, output: Consent, mutates: true, description: 'Answer a pending approval; creates a consent record.' }),
  'approvals.hold': method({
    input: z.object({ id: z.string().min(1), held: z.boolean() }),
    output: ApprovalView,
    mutates: true,
    description: 'Pause (held) or resume the timeout of a pending approval while a person looks at it; paused for at most 5 minutes.',
  }),
  'approvals.settings': method({ input: ApprovalSettingsPatch, output: ApprovalSettings, mutates: true, description: 'Read (empty input) or change the approval timeout, elicitation and progress interval.' }),
  'consents.list': method({ input: Empty, output: z.object({ active: z.array(Consent), recent: z.array(Consent) }), mutates: false, description: 'Active consents (time-limited, session, standing) and recent once-answers.' }),
  'consents.revoke': method({ input: Id, output: Consent, mutates: true, description: 'Revoke a consent (and the standing rule an "always" answer created).' }),
  'rules.list': method({ input: Empty, output: z.array(Rule), mutates: false, description: "The user's standing rules." }),
  'rules.add': method({ input: RuleInput, output: Rule, mutates: true, description: 'Add a standing rule.' }),
  'rules.remove': method({ input: Id, output: Rule, mutates: true, description: 'Remove a standing rule.' }),
  'policy.check': method({ input: CheckInput, output: DecisionView, mutates: false, description: 'What would happen to a call, without calling anything.' }),
  'policy.tools': method({ input: z.object({ server: z.string().min(1) }), output: z.array(ToolPolicyView), mutates: false, description: "A server's known tools with risk, flags, pin status and effect." }),
  'policy.setOverride': method({
    input: ServerTool.extend({ effect: Effect.nullable(), hidden: z.boolean().default(false) }),
    output: z.object({ override: Override.nullable() }),
    mutates: true,
    description: 'Set or clear (null) a per-tool override.',
  }),
  'policy.setTier': method({ input: z.object({ server: z.string().min(1), tier: Tier }), output: z.object({ server: z.string(), tier: Tier }), mutates: true, description: "Change a server's trust tier." }),
  'policy.acceptPin': method({ input: ServerTool.extend({ via: Via }), output: Pin, mutates: true, description: "Accept a tool's current (changed or new) definition." }),
};

export const approvalEvents = {
  'approvals.changed': z.object({ pending: z.array(ApprovalView), change: z.object({ type: z.enum(['added', 'joined', 'updated', 'resolved']), id: z.string(), outcome: z.string().optional() }) }),
  'consents.changed': z.object({ consents: z.array(Consent) }),
  'policy.changed': z.object({ server: z.string().optional(), tool: z.string().optional(), what: z.string() }),
};
