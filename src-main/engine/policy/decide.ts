// The decision for one call, first match wins: managed policy (a deny there always wins) → the user's
// standing rules (most restrictive match) → per-tool deny overrides → session and time-limited
// consents → per-tool allow/ask overrides → the tier default (tier × risk). A changed tool definition
// turns anything but a deny into an ask until a person accepts it. Standing allows (rules, allow
// overrides) are off where managed policy says so: `allowAlwaysAllow: false`, or a server whose tier
// it fixes at restricted (every call there asks a person). Pure.
import type { ManagedPolicy } from '../../../shared/managed.js';
import type { Consent, Flag, Override, PinChange, PinStatus, Rule } from '../../../shared/policy.js';
import type { Effect, Risk, Tier } from '../../../shared/words.js';
import { describeConstraint, RuleIndex } from './rules.js';
import { tierDefault } from './tiers.js';
import type { ConsentBook } from '../approvals/consents.js';
import { matchManagedRule } from '../managed/rules.js';
import { lockedTier } from '../managed/servers.js';

export interface PolicyState {
  rules: RuleIndex<Rule>;
  /** Keyed by `server\u0000tool`. */
  overrides: Map<string, Override>;
  consents: Pick<ConsentBook, 'match'>;
  managed?: ManagedPolicy;
}

export interface DecideInput {
  server: string;
  tool: string;
  clientId: string;
  sessionId: string;
  args: Record<string, unknown>;
  tier: Tier;
  risk: Risk;
  riskReasons: string[];
  flags: Flag[];
  pinStatus: PinStatus;
  pinChanges: PinChange[];
  now: number;
}

export interface PolicyDecision {
  effect: Effect;
  ruleId: string;
  reasons: string[];
  risk: Risk;
  /** `policy`, `managed`, or the approver of the consent that matched. */
  approver: string;
  consentId?: string;
  /** Hidden from tools/list (blocked server, hidden deny override, managed deny). */
  hidden: boolean;
}

export const overrideKey = (server: string, tool: string) => `${server}\u0000${tool}`;

const constraintText = (when: Rule['when']) => (when.length ? ` (when ${when.map(describeConstraint).join(' and ')})` : '');

function base(input: DecideInput, state: PolicyState): PolicyDecision {
  const { server, tool, clientId, sessionId, args, tier, risk, now } = input;
  const d = (effect: Effect, ruleId: string, reasons: string[], approver = 'policy', extra: Partial<PolicyDecision> = {}): PolicyDecision => ({
    effect,
    ruleId,
    reasons,
    risk,
    approver,
    hidden: false,
    ...extra,
  });

  if (state.managed) {
    const m = matchManagedRule(state.managed, server, tool, clientId, args);
    if (m) {
      const why = m.reason ? `: ${m.reason}` : '';
      return d(m.effect, `managed:${m.id}`, [`Managed policy rule ${m.id} (set by ${state.managed.managedBy ?? 'your organisation'}, locked) says ${m.effect}${why}.`], 'managed', {
        hidden: m.effect === 'deny' && m.when.length === 0,
      });
    }
  }
  if (tier === 'blocked') {
    const t = tierDefault(tier, risk);
    return d('deny', 'tier:blocked', [t.reason], 'policy', { hidden: true });
  }
  const standingAllowOff = standingAllowsOff(state.managed, server);
  const notes: string[] = [];
  const rule = state.rules.match(server, tool, clientId, args);
  if (rule?.effect === 'allow' && standingAllowOff) notes.push(`${standingAllowOff} Your standing rule ${rule.id} (always allow) does not apply.`);
  else if (rule) {
    const verb = rule.effect === 'allow' ? 'always allow' : rule.effect === 'deny' ? 'always deny' : 'always ask';
    return d(rule.effect, `rule:${rule.id}`, [`Matches your standing rule ${rule.id}: ${verb} \`${rule.server}\`/\`${rule.tool}\`${constraintText(rule.when)}.`]);
  }
  const override = state.overrides.get(overrideKey(server, tool));
  if (override?.effect === 'deny') {
    return d('deny', `override:${server}/${tool}`, [`The tool is set to deny in Servers & tools.`], 'policy', { hidden: override.hidden });
  }
  const consent: Consent | undefined = state.consents.match(server, tool, clientId, sessionId, args, now);
  if (consent) {
    const span =
      consent.scope === 'session' ? 'for this session' : consent.scope === '5m' || consent.scope === '1h' ? `until ${consent.expiresAt}` : consent.scope;
    return d(consent.effect, `consent:${consent.id}`, [`Matches consent ${consent.id}: ${consent.effect} ${span}${constraintText(consent.when)}, given by ${consent.approver}.`], consent.approver, {
      consentId: consent.id,
    });
  }
  // An allow override is an "always allow" too.
  if (override?.effect === 'allow' && standingAllowOff) notes.push(`${standingAllowOff} The tool's allow setting in Servers & tools does not apply.`);
  else if (override) {
    return d(override.effect, `override:${server}/${tool}`, [`The tool is set to ${override.effect} in Servers & tools.`]);
  }
  const t = tierDefault(tier, risk);
  // A tool the server never listed has no definition to judge, pin or scan: a tier would let it pass on
  // its name alone, so the person is asked (a rule or an override can still allow it).
  if (t.effect === 'allow' && input.pinStatus === 'unknown') {
    return d('ask', 'pin:unlisted', [`Server \`${server}\` has not listed a tool \`${tool}\`: Warden cannot judge a call to it by its definition, so it asks.`, ...input.riskReasons, ...notes]);
  }
  return d(t.effect, t.ruleId, [t.reason, ...input.riskReasons, ...notes]);
}

/** Why a person's standing allows do not apply to calls to this server, or undefined when they do. */
export function standingAllowsOff(managed: ManagedPolicy | undefined, server: string): string | undefined {
  if (!managed) return undefined;
  const by = managed.managedBy ?? 'your organisation';
  if (lockedTier(managed, server) === 'restricted') return `Managed policy (set by ${by}) fixes \`${server}\` at restricted: every call to it asks a person.`;
  if (managed.settings.allowAlwaysAllow === false) return `Managed policy (set by ${by}) turns "always allow" off.`;
  return undefined;
}

export function decide(input: DecideInput, state: PolicyState): PolicyDecision {
  const out = base(input, state);
  if (input.flags.length) out.reasons.push(`Flagged: ${input.flags.map((f) => f.message.toLowerCase()).join('; ')}.`);
  if (out.effect !== 'deny' && input.pinStatus === 'changed') {
    return {
      ...out,
      effect: 'ask',
      ruleId: 'pin:changed',
      approver: 'policy',
      consentId: undefined,
      reasons: [
        `The tool's definition changed since it was pinned: it needs approval until the new definition is accepted.`,
        ...input.pinChanges.map((c) => c.summary),
        ...out.reasons.map((r) => `Otherwise: ${r}`),
      ],
    };
  }
  if (input.pinStatus === 'new') out.reasons.push('A new tool on this server (not seen in its first listing).');
  if (input.pinStatus === 'unknown') out.reasons.push('Warden has not seen this tool listed: its risk comes from its name alone.');
  return out;
}
