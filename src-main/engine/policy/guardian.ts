// The guardian fills the engine's decision point: it pins and scans every listed tool, decides each
// call by policy, and holds the calls that ask in the approval broker until a person answers. It also
// carries what the UI and the CLI need: pending approvals, answers, consents, rules, overrides, pins
// and a dry-run check. State lives in policy.json (PolicyStore); pending approvals and session
// consents live only as long as the engine.
import { EventEmitter } from 'node:events';
import type {
  AnswerChoiceInput,
  ApprovalSettings,
  ApprovalView,
  ArgConstraint,
  Consent,
  DecisionView,
  Flag,
  ManagedPolicy,
  Override,
  Pin,
  PinChange,
  PinStatus,
  PolicyFile,
  Rule,
  ToolPolicyView,
} from '../../../shared/policy.js';
import { AnswerChoice, ArgConstraint as ArgConstraintSchema } from '../../../shared/policy.js';
import type { Effect, Risk, Tier } from '../../../shared/words.js';
import { ApprovalBroker, type BrokerOutcome } from '../approvals/broker.js';
import { ConsentBook } from '../approvals/consents.js';
import { WardenError } from '../errors.js';
import type { Tool } from '../mcp/sdk.js';
import { isNamedTool } from '../mcp/tool-entry.js';
import type { AuditPoint, ClientIdentity, Decision, DecisionPoint, ToolCall, WaitingChannel } from '../pipeline.js';
import { decide as decidePolicy, overrideKey, standingAllowsOff, type PolicyDecision } from './decide.js';
import { acceptPending, checkPin, diffDefinitions, hashTool, type ToolDefinitionLike } from './pins.js';
import { scanTool } from './poisoning.js';
import { assessRisk } from './risk.js';
import { RuleIndex } from './rules.js';
import type { PolicyStore } from './store.js';
import { withheld } from './withhold.js';

export interface GuardianOptions {
  store: Pick<PolicyStore, 'load' | 'save' | 'path' | 'changedOnDisk'>;
  /** The server's trust tier (servers.json). Unknown servers are `standard`. */
  tierOf: (server: string) => Tier;
  /** Changes a server's tier (servers.json); used by setTier. */
  setTier?: (server: string, tier: Tier) => void;
  /** Managed policy from IT (a later issue fills it). A deny there always wins. */
  managed?: () => ManagedPolicy | undefined;
  audit?: Pick<AuditPoint, 'event'>;
  /** Overrides policy.json's approval settings (tests, `warden serve` flags). */
  approvals?: Partial<ApprovalSettings>;
  now?: () => number;
}

export interface GuardianEvents {
  /** Pending approvals changed (added, joined, answered, timed out, withdrawn). */
  approvals: [{ pending: ApprovalView[]; change: { type: 'added' | 'joined' | 'updated' | 'resolved'; approval: ApprovalView; outcome?: BrokerOutcome['kind'] } }];
  /** Consents or rules changed (created, revoked, expired). */
  consents: [{ consents: Consent[] }];
  /** Pins, overrides or tiers changed: tool views should be refreshed. */
  policy: [{ server?: string; tool?: string; what: string }];
}

export interface CheckOptions {
  client?: string;
  sessionId?: string;
  /** A definition to judge when Warden has not seen the tool listed. */
  definition?: Tool;
}

type ViewResult = PolicyDecision & { tier: Tier; flags: Flag[]; pinStatus: PinStatus; pinChanges: PinChange[] };

interface Assessment {
  hash: string;
  flags: Flag[];
}

const NO_CHANGES = Object.freeze([]) as unknown as PinChange[];
const NO_FLAGS = Object.freeze([]) as unknown as Flag[];

/** Why a card does not offer "always allow" for this server (the answer would be refused), if it does not. */
function noAlwaysAllow(managed: ManagedPolicy | undefined, server: string): { noAlwaysAllow?: string } {
  const why = standingAllowsOff(managed, server);
  return why ? { noAlwaysAllow: why } : {};
}

const BY_ANSWER: Record<string, string> = { once: 'once', '5m': 'for 5 minutes', '1h': 'for 1 hour', session: 'for this session', always: 'always' };

export class Guardian extends EventEmitter<GuardianEvents> implements DecisionPoint {
  #file!: PolicyFile;
  #rules!: RuleIndex<Rule>;
  #overrides = new Map<string, Override>();
  #consents!: ConsentBook;
  #loadError?: WardenError;
  #closed?: string;
  readonly #seen = new Map<string, Map<string, Tool>>();
  readonly #assessments = new Map<string, Assessment>();
  /** Risk per definition object (the gateway passes the object it listed), for the tier it was judged on. */
  #riskCache = new WeakMap<object, { tier: Tier; flagged: boolean; value: { risk: Risk; reasons: string[] } }>();
  /** The same, by definition hash, for callers that pass a fresh copy of a known definition. */
  readonly #riskByHash = new Map<string, { tier: Tier; flagged: boolean; value: { risk: Risk; reasons: string[] } }>();
  readonly #broker: ApprovalBroker;
  readonly #pruner: NodeJS.Timeout;

  constructor(private readonly opts: GuardianOptions) {
    super();
    this.reload();
    this.#broker = new ApprovalBroker({
      timeoutMs: () => this.settings().timeoutSeconds * 1000,
      progressMs: () => this.settings().progressSeconds * 1000,
      now: opts.now,
      onChange: (change) => this.emit('approvals', { pending: this.#broker.list(), change }),
    });
    this.#pruner = setInterval(() => {
      const gone = this.#consents.prune(this.#now());
      if (gone.length) {
        this.#persistQuietly();
        this.emit('consents', { consents: this.listConsents() });
      }
    }, 15_000);
    this.#pruner.unref();
  }

  #now() {
    return (this.opts.now ?? Date.now)();
  }

  /** Re-reads policy.json. A broken file makes every call deny until it is fixed. */
  reload(): void {
    const before = this.#consents as ConsentBook | undefined;
    try {
      this.#file = this.opts.store.load();
      this.#loadError = undefined;
    } catch (error) {
      this.#loadError = error instanceof WardenError ? error : new WardenError('config_invalid', String(error));
      this.#file = { version: 1, nextRule: 1, rules: [], overrides: [], consents: [], pins: {}, approvals: { timeoutSeconds: 45, elicitation: true, progressSeconds: 5 } };
    }
    this.#rules = new RuleIndex(this.#file.rules);
    this.#overrides = new Map(this.#file.overrides.map((o) => [overrideKey(o.server, o.tool), o]));
    this.#consents = new ConsentBook(this.#file.consents, this.#now());
    if (before) this.#consents.carryOver(before); // session consents and answer history live only here
    this.#riskCache = new WeakMap();
    this.#riskByHash.clear();
  }

  /**
   * Someone else wrote policy.json while this guardian ran (a hand edit, another program): decide by
   * the file as it now is, and put that on record. Asked before every decision and every change, so a
   * change through Warden never writes over an edit it has not read.
   */
  #fresh(): void {
    if (!this.opts.store.changedOnDisk()) return;
    this.#reloadEdited();
  }

  #reloadEdited(): void {
    this.reload();
    this.#audit('policy.changed_on_disk', {
      reason: `${this.opts.store.path} was changed outside Warden while the engine ran; decisions now follow the file as it is.`,
      ...(this.#loadError ? { problem: this.#loadError.message } : {}),
    });
    this.emit('policy', { what: 'file' });
    this.emit('consents', { consents: this.listConsents() });
  }

  settings(): ApprovalSettings {
    this.#fresh();
    return { ...this.#file.approvals, ...this.opts.approvals };
  }

  #persist() {
    if (this.#loadError) throw this.#loadError;
    if (this.opts.store.changedOnDisk({ certain: true })) {
      // Written meanwhile by someone else: their file wins, and this change is not made.
      this.#reloadEdited();
      throw new WardenError('config_changed', `${this.opts.store.path} was changed outside Warden just now, so this change was not saved; Warden now follows the file as edited. Make the change again if it is still wanted.`);
    }
    this.#file.consents = this.#consents.persistent();
    this.opts.store.save(this.#file);
  }

  /**
   * For the engine's own bookkeeping (pins, expired consents), which no one waits on: a file that cannot
   * be read or was just edited is left as it is, and the next listing or prune writes it.
   */
  #persistQuietly(): boolean {
    try {
      this.#persist();
      return true;
    } catch {
      return false;
    }
  }

  #audit(kind: string, data: Record<string, unknown>) {
    this.opts.audit?.event(kind, data).catch(() => undefined);
  }

  #tier(server: string): Tier {
    return this.opts.tierOf(server);
  }

  /** The server's tier as decisions see it (managed policy's, else its own). */
  tier(server: string): Tier {
    return this.#tier(server);
  }

  // ---- tools/list ---------------------------------------------------------------------------------

  async listTools(server: string, _client: ClientIdentity, tools: Tool[]): Promise<Tool[]> {
    this.#fresh();
    const tier = this.#tier(server);
    const now = new Date(this.#now()).toISOString();
    const before = this.#file.pins[server];
    const serverKnown = !!before && Object.keys(before).length > 0;
    const pins: Record<string, Pin> = { ...(before ?? {}) };
    let dirty = false;
    const seen = new Map<string, Tool>();
    const foreign = this.#foreignNames(server);
    // A malformed entry (no name) is dropped: what cannot be judged is not shown.
    tools = tools.filter(isNamedTool);
    const siblings = tools.map((t) => t.name);
    for (const tool of tools) {
      seen.set(tool.name, tool);
      const check = checkPin(pins[tool.name], tool, { now, serverKnown, record: true });
      if (check.dirty && check.next) {
        pins[tool.name] = check.next;
        dirty = true;
        if (check.status === 'changed') {
          this.#audit('pin.changed', { server, tool: tool.name, changes: check.changes.map((c) => c.summary) });
          this.emit('policy', { server, tool: tool.name, what: 'pin.changed' });
        }
      }
      this.#assessments.set(overrideKey(server, tool.name), { hash: hashTool(tool), flags: scanTool(tool, { siblings, foreign }) });
    }
    this.#seen.set(server, seen);
    if (dirty && !this.#loadError) {
      this.#file.pins = { ...this.#file.pins, [server]: pins };
      if (this.#persistQuietly()) this.emit('policy', { server, what: 'pins' });
    }
    if (tier === 'blocked' || this.#loadError) return [];
    return tools
      .filter((t) => !this.#view(server, t.name, {}, { tier, definition: t }).hidden)
      .map((t) => {
        const flags = this.#assessments.get(overrideKey(server, t.name))?.flags ?? NO_FLAGS;
        // Shown whole once the person has set the tool to allow (they read it in Servers & tools).
        return flags.length && this.#overrides.get(overrideKey(server, t.name))?.effect !== 'allow' ? withheld(t, flags) : t;
      });
  }

  #foreignNames(server: string): string[] {
    const out: string[] = [];
    for (const [s, tools] of this.#seen) if (s !== server) out.push(...tools.keys());
    return out;
  }

  // ---- deciding -----------------------------------------------------------------------------------

  #assess(server: string, tool: string, definition: ToolDefinitionLike | undefined, tier: Tier) {
    const stored = this.#file.pins[server]?.[tool];
    let pinStatus: PinStatus;
    let pinChanges: PinChange[] = NO_CHANGES;
    let flags: Flag[] = NO_FLAGS;
    if (definition) {
      const hash = hashTool(definition);
      if (stored && stored.hash === hash) {
        // The usual case, kept allocation-free: the call carries the pinned definition.
        pinStatus = stored.isNew ? 'new' : 'pinned';
        pinChanges = NO_CHANGES;
      } else {
        const check = checkPin(stored, definition, { now: '', serverKnown: false, record: false });
        pinStatus = check.status;
        pinChanges = check.changes;
      }
      const cached = this.#assessments.get(overrideKey(server, tool));
      flags = cached && cached.hash === hash ? cached.flags : scanTool(definition, { foreign: this.#foreignNames(server) });
      // Pending change seen in a listing but the call carries the pinned definition: still hold it.
      if (pinStatus !== 'changed' && stored?.pending && this.#seen.get(server)?.get(tool) && hashTool(this.#seen.get(server)!.get(tool)!) === stored.pending.hash) {
        pinStatus = 'changed';
        pinChanges = diffDefinitions(stored.definition, stored.pending.definition);
      }
    } else if (stored) {
      pinStatus = stored.pending ? 'changed' : stored.isNew ? 'new' : 'pinned';
      pinChanges = stored.pending ? diffDefinitions(stored.definition, stored.pending.definition) : [];
      const def = stored.pending?.definition ?? stored.definition;
      const cached = this.#assessments.get(overrideKey(server, tool));
      flags = cached && cached.hash === (stored.pending?.hash ?? stored.hash) ? cached.flags : scanTool(def as ToolDefinitionLike, { foreign: this.#foreignNames(server) });
      definition = def as ToolDefinitionLike;
    } else {
      pinStatus = 'unknown';
    }
    const flagged = flags.length > 0;
    let risk: { risk: Risk; reasons: string[] } | undefined;
    if (definition) {
      const cached = this.#riskCache.get(definition) ?? this.#riskByHash.get(hashTool(definition));
      if (cached && cached.tier === tier && cached.flagged === flagged) risk = cached.value;
      else {
        risk = assessRisk(definition as Parameters<typeof assessRisk>[0], tier, flagged);
        const entry = { tier, flagged, value: risk };
        this.#riskCache.set(definition, entry);
        if (this.#riskByHash.size > 10_000) this.#riskByHash.clear();
        this.#riskByHash.set(hashTool(definition), entry);
      }
    } else risk = assessRisk({ name: tool }, tier, flagged);
    return { pinStatus, pinChanges, flags, risk: risk.risk, riskReasons: risk.reasons };
  }

  #view(server: string, tool: string, args: Record<string, unknown>, o: Omit<CheckOptions, 'definition'> & { definition?: ToolDefinitionLike; tier?: Tier }): ViewResult {
    const tier = o.tier ?? this.#tier(server);
    const a = this.#assess(server, tool, o.definition, tier);
    const d = decidePolicy(
      {
        server,
        tool,
        clientId: o.client ?? '',
        sessionId: o.sessionId ?? '',
        args,
        tier,
        risk: a.risk,
        riskReasons: a.riskReasons,
        flags: a.flags,
        pinStatus: a.pinStatus,
        pinChanges: a.pinChanges,
        now: this.#now(),
      },
      { rules: this.#rules, overrides: this.#overrides, consents: this.#consents, managed: this.opts.managed?.() },
    ) as ViewResult;
    d.tier = tier;
    d.flags = a.flags;
    d.pinStatus = a.pinStatus;
    d.pinChanges = a.pinChanges;
    return d;
  }

  /** Policy's view of one call as it stands now (its client, session, arguments and definition). */
  #viewOf(call: ToolCall): ViewResult {
    const args = call.arguments && typeof call.arguments === 'object' ? call.arguments : {};
    return this.#view(call.server, call.tool, args, { client: call.client.id, sessionId: call.sessionId, definition: call.definition ?? this.#seen.get(call.server)?.get(call.tool) });
  }

  async decide(call: ToolCall, channel: WaitingChannel): Promise<Decision> {
    this.#fresh();
    const who = `\`${call.server}\`/\`${call.tool}\``;
    if (this.#closed) return closedDecision(who, this.#closed);
    if (this.#loadError) {
      return {
        effect: 'deny',
        ruleId: 'guardian:policy-unreadable',
        reasons: [`Warden denied ${who}: its policy file cannot be read, so no call can be checked. Ask the user to fix it (${this.#loadError.message}).`],
        approver: 'policy',
        status: 'denied',
      };
    }
    let v: ViewResult;
    try {
      v = this.#viewOf(call);
    } catch (error) {
      return {
        effect: 'deny',
        ruleId: 'guardian:error',
        reasons: [`Warden denied ${who}: the policy check failed (${(error as Error).message}), and a call that cannot be checked does not go through. Ask the user to look at Warden's log.`],
        approver: 'policy',
        status: 'denied',
      };
    }
    if (v.effect === 'allow') return { effect: 'allow', ruleId: v.ruleId, reasons: v.reasons, risk: v.risk, consentId: v.consentId, approver: v.approver };
    if (v.effect === 'deny') return policyDeny(who, v);
    return this.#ask(call, channel, v);
  }

  async #ask(call: ToolCall, channel: WaitingChannel, v: ViewResult): Promise<Decision> {
    const who = `\`${call.server}\`/\`${call.tool}\``;
    const settings = this.settings();
    const outcome = await this.#broker.wait(
      {
        server: call.server,
        tool: call.tool,
        client: { id: call.client.id, ...(call.client.name ? { name: call.client.name } : {}), ...(call.client.version ? { version: call.client.version } : {}) },
        sessionId: call.sessionId,
        arguments: forDisplay(call.arguments ?? {}) as Record<string, unknown>,
        risk: v.risk,
        tier: v.tier,
        reasons: v.reasons,
        flags: v.flags,
        pinChanges: v.pinChanges,
        ...noAlwaysAllow(this.opts.managed?.(), call.server),
      },
      channel,
      call.signal,
      (approval, joined) => {
        if (!joined && settings.elicitation && channel.elicit) this.#elicit(approval, channel);
      },
      call.arguments ?? {},
    );
    const base = { risk: v.risk };
    switch (outcome.kind) {
      case 'answered': {
        if (outcome.decision.effect === 'allow') {
          // Policy may have changed while the call waited (a managed deny, a blocked server, a deny rule):
          // the person's allow answers the question that was asked, and does not outrank a deny since.
          const now = this.#recheck(call);
          if (now) return { ...now, risk: v.risk };
        }
        return { ...outcome.decision, ...base };
      }
      case 'timeout':
        return {
          effect: 'deny',
          ruleId: v.ruleId,
          status: 'timeout',
          approver: 'timeout',
          ...base,
          reasons: [
            `${who} needs the user's approval and no one answered within ${plural(Math.round(outcome.timeoutMs / 1000), 'second')}. Ask the user to watch for Warden's approval (the Approvals view, a notification, or \`warden approvals list\`), then retry the same call.`,
            ...v.reasons.slice(0, 2),
          ],
        };
      case 'cancelled':
        return { effect: 'deny', ruleId: v.ruleId, status: 'cancelled', approver: 'client', ...base, reasons: [`The call to ${who} was cancelled while it waited for approval.`] };
      case 'closed':
        return closedDecision(who, outcome.reason);
    }
  }

  /** The deny that policy now gives `call`, if it gives one (asks and allows leave the person's answer standing). */
  #recheck(call: ToolCall): Decision | undefined {
    this.#fresh();
    const who = `\`${call.server}\`/\`${call.tool}\``;
    if (this.#closed) return closedDecision(who, this.#closed);
    try {
      const v = this.#viewOf(call);
      if (v.effect !== 'deny') return undefined;
      const denied = policyDeny(who, v);
      return { ...denied, reasons: [`Approved in Warden, but policy changed while the call waited and now refuses it.`, ...denied.reasons] };
    } catch (error) {
      return { effect: 'deny', ruleId: 'guardian:error', reasons: [`Warden denied ${who}: the policy check failed (${(error as Error).message}).`], approver: 'policy', status: 'denied' };
    }
  }

  #elicit(approval: ApprovalView, channel: WaitingChannel) {
    const message =
      `Warden: ${approval.client.name ?? approval.client.id} wants to call ${approval.server}/${approval.tool} (${approval.risk} risk).\n` +
      `Arguments: ${JSON.stringify(approval.arguments).slice(0, 500)}\n` +
      approval.reasons.slice(0, 4).join('\n');
    channel
      .elicit!(message, {
        type: 'object',
        properties: {
          decision: {
            type: 'string',
            title: 'Allow this call?',
            enum: ['allow_once', 'allow_session', 'deny'],
            enumNames: ['Allow once', 'Allow for this session', 'Deny'],
          },
        },
        required: ['decision'],
      })
      .then((res) => {
        if (!this.#broker.get(approval.id)) return;
        if (res.action === 'accept') {
          const d = res.content?.decision;
          if (d === 'allow_once') this.answer(approval.id, { effect: 'allow', scope: 'once' }, 'user:elicitation');
          else if (d === 'allow_session') this.answer(approval.id, { effect: 'allow', scope: 'session' }, 'user:elicitation');
          else if (d === 'deny') this.answer(approval.id, { effect: 'deny', scope: 'once' }, 'user:elicitation');
        } else if (res.action === 'decline') {
          this.answer(approval.id, { effect: 'deny', scope: 'once' }, 'user:elicitation');
        }
        // `cancel`: the person dismissed the question; the approval keeps waiting in Warden.
      })
      .catch(() => undefined);
  }

  // ---- approvals and consents ---------------------------------------------------------------------

  listPending(): ApprovalView[] {
    return this.#broker.list();
  }

  /** Pauses (or resumes) a pending approval's timeout while a person looks at it. */
  hold(id: string, held: boolean): ApprovalView {
    const view = this.#broker.hold(id, held);
    if (!view) throw new WardenError('not_found', `No approval \`${id}\` is waiting: it was answered, timed out or withdrawn.`);
    return view;
  }

  /** Answers a pending approval. Every answer creates a consent record. */
  answer(id: string, choiceInput: AnswerChoiceInput, approver = 'user:ui'): Consent {
    this.#fresh();
    const approval = this.#broker.get(id);
    if (!approval) {
      throw new WardenError('not_found', `No approval \`${id}\` is waiting: it was answered, timed out or withdrawn. See \`warden approvals list\`.`);
    }
    const parsed = AnswerChoice.safeParse(choiceInput);
    if (!parsed.success) throw new WardenError('bad_input', `Answer to ${id} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
    const choice = parsed.data;
    const now = this.#now();
    let ruleId: string | undefined;
    const consentId = this.#consents.nextId();
    if (choice.scope === 'always') {
      ruleId = `r${this.#file.nextRule}`;
      this.#file.nextRule += 1;
      this.#file.rules = [
        ...this.#file.rules,
        { id: ruleId, server: approval.server, tool: approval.tool, effect: choice.effect, when: choice.when, consentId, createdAt: new Date(now).toISOString() },
      ];
      this.#rules = new RuleIndex(this.#file.rules);
    }
    const consent = this.#consents.create(
      {
        effect: choice.effect,
        scope: choice.scope,
        server: approval.server,
        tool: approval.tool,
        client: approval.client.id,
        sessionId: approval.sessionId,
        when: choice.when,
        approvalId: id,
        approver,
        ruleId,
      },
      now,
      consentId,
    );
    // A changed definition is accepted for good only by a standing answer given in Warden: not by a
    // session or time-limited one, and never through elicitation (the client carries that answer).
    const acceptPin = approver !== 'user:elicitation' && (choice.acceptPin ?? (choice.effect === 'allow' && choice.scope === 'always'));
    try {
      if (acceptPin && approval.pinChanges.length) this.#acceptPin(approval.server, approval.tool, approver);
      else if (choice.scope !== 'once') this.#persist();
    } catch (error) {
      // Not saved: undo, and leave the call waiting so that the person can try again.
      this.#consents.revoke(consent.id);
      if (ruleId) this.#dropRule(ruleId);
      throw new WardenError('internal', `Warden could not save the answer to ${id} (${(error as Error).message}); the call still waits. Check the data directory, then answer again.`);
    }
    this.#audit('consent.created', { consent });
    const who = `\`${approval.server}\`/\`${approval.tool}\``;
    const decision: Decision =
      choice.effect === 'allow'
        ? { effect: 'allow', ruleId: `consent:${consent.id}`, consentId: consent.id, approver, reasons: [`Approved by the user (${approver}) ${BY_ANSWER[choice.scope]}.`] }
        : {
            effect: 'deny',
            ruleId: ruleId ? `rule:${ruleId}` : `consent:${consent.id}`,
            consentId: consent.id,
            approver,
            status: 'denied',
            reasons: [
              choice.scope === 'once'
                ? `The user was asked about ${who} in Warden and denied it (${approver}). Ask the user whether the call is needed before trying again.`
                : `The user denied ${who} in Warden ${BY_ANSWER[choice.scope]} (${approver}${ruleId ? `, rule ${ruleId}` : ''}): it stays refused until the user changes that in Warden.`,
            ],
          };
    this.#broker.resolve(id, decision);
    this.emit('consents', { consents: this.listConsents() });
    return consent;
  }

  listConsents(): Consent[] {
    this.#fresh();
    return this.#consents.list(this.#now());
  }

  recentConsents(): Consent[] {
    return this.#consents.recent();
  }

  /** Revokes a consent (and the standing rule an `always` answer created). */
  revoke(consentId: string): Consent {
    this.#fresh();
    const c = this.#consents.revoke(consentId);
    if (!c) throw new WardenError('not_found', `No active consent \`${consentId}\`. See \`warden approvals consents\`.`);
    if (c.ruleId) this.#dropRule(c.ruleId);
    this.#persist();
    this.#audit('consent.revoked', { consentId, server: c.server, tool: c.tool });
    this.emit('consents', { consents: this.listConsents() });
    return c;
  }

  /** Ends one client session: its session consents go with it. */
  endSession(sessionId: string): void {
    if (this.#consents.endSession(sessionId).length) this.emit('consents', { consents: this.listConsents() });
  }

  // ---- rules, overrides, tiers, pins --------------------------------------------------------------

  listRules(): Rule[] {
    this.#fresh();
    if (this.#loadError) throw this.#loadError; // "no rules" would hide a policy file that cannot be read
    return [...this.#file.rules];
  }

  addRule(input: { server: string; tool: string; effect: Effect; when?: ArgConstraint[]; client?: string; note?: string }): Rule {
    this.#fresh();
    if (this.#loadError) throw this.#loadError;
    const when = (input.when ?? []).map((c) => ArgConstraintSchema.parse(c));
    const rule: Rule = { id: `r${this.#file.nextRule}`, server: input.server, tool: input.tool, effect: input.effect, when, createdAt: new Date(this.#now()).toISOString() };
    if (input.client) rule.client = input.client;
    if (input.note) rule.note = input.note;
    this.#file.nextRule += 1;
    this.#file.rules = [...this.#file.rules, rule];
    this.#rules = new RuleIndex(this.#file.rules);
    this.#persist();
    this.#audit('rule.added', { rule });
    this.emit('policy', { server: rule.server, tool: rule.tool, what: 'rule.added' });
    return rule;
  }

  removeRule(id: string): Rule {
    this.#fresh();
    const rule = this.#dropRule(id);
    if (!rule) throw new WardenError('not_found', `No rule \`${id}\`.`);
    if (rule.consentId) this.#consents.revoke(rule.consentId);
    this.#persist();
    this.#audit('rule.removed', { rule });
    this.emit('policy', { server: rule.server, tool: rule.tool, what: 'rule.removed' });
    this.emit('consents', { consents: this.listConsents() });
    return rule;
  }

  #dropRule(id: string): Rule | undefined {
    const rule = this.#file.rules.find((r) => r.id === id);
    if (!rule) return undefined;
    this.#file.rules = this.#file.rules.filter((r) => r.id !== id);
    this.#rules = new RuleIndex(this.#file.rules);
    return rule;
  }

  /** Sets (or clears, with `null`) a per-tool override. `hidden` removes a denied tool from tools/list. */
  setOverride(server: string, tool: string, effect: Effect | null, hidden = false): Override | undefined {
    this.#fresh();
    if (this.#loadError) throw this.#loadError;
    const rest = this.#file.overrides.filter((o) => !(o.server === server && o.tool === tool));
    const o: Override | undefined = effect ? { server, tool, effect, hidden: effect === 'deny' && hidden } : undefined;
    this.#file.overrides = o ? [...rest, o] : rest;
    this.#overrides = new Map(this.#file.overrides.map((x) => [overrideKey(x.server, x.tool), x]));
    this.#persist();
    this.#audit('override.set', { server, tool, effect, hidden: o?.hidden ?? false });
    this.emit('policy', { server, tool, what: 'override' });
    return o;
  }

  setTier(server: string, tier: Tier): void {
    if (!this.opts.setTier) throw new WardenError('internal', 'This guardian cannot change tiers.');
    this.opts.setTier(server, tier);
    this.#riskCache = new WeakMap();
    this.#riskByHash.clear();
    this.#audit('tier.set', { server, tier });
    this.emit('policy', { server, what: 'tier' });
  }

  setApprovalSettings(patch: Partial<ApprovalSettings>): ApprovalSettings {
    this.#fresh();
    if (this.#loadError) throw this.#loadError;
    this.#file.approvals = { ...this.#file.approvals, ...patch };
    this.#persist();
    return this.settings();
  }

  pins(server: string): Record<string, Pin> {
    this.#fresh();
    return { ...(this.#file.pins[server] ?? {}) };
  }

  /** Accepts a tool's current definition: the pending change becomes the pin, a new tool stops being new. */
  acceptPin(server: string, tool: string, approver = 'user:ui'): Pin {
    this.#fresh();
    const pin = this.#file.pins[server]?.[tool];
    if (!pin) throw new WardenError('not_found', `Warden has no pin for \`${server}\`/\`${tool}\`: it has not seen that tool listed.`);
    return this.#acceptPin(server, tool, approver);
  }

  #acceptPin(server: string, tool: string, approver: string): Pin {
    const pin = this.#file.pins[server]![tool]!;
    const next = acceptPending(pin, new Date(this.#now()).toISOString());
    this.#file.pins = { ...this.#file.pins, [server]: { ...this.#file.pins[server], [tool]: next } };
    this.#persist();
    this.#audit('pin.accepted', { server, tool, hash: next.hash, approver });
    this.emit('policy', { server, tool, what: 'pin.accepted' });
    return next;
  }

  // ---- views --------------------------------------------------------------------------------------

  /** What would happen to this call now, without calling anything or recording a pin. */
  check(server: string, tool: string, args: Record<string, unknown> = {}, o: CheckOptions = {}): DecisionView {
    this.#fresh();
    const v = this.#view(server, tool, args, { ...o, definition: o.definition ?? this.#seen.get(server)?.get(tool) });
    const out: DecisionView = {
      server,
      tool,
      effect: this.#loadError ? 'deny' : v.effect,
      ruleId: this.#loadError ? 'guardian:policy-unreadable' : v.ruleId,
      reasons: this.#loadError ? [this.#loadError.message] : v.reasons,
      risk: v.risk,
      tier: v.tier,
      flags: v.flags,
      pinStatus: v.pinStatus,
      pinChanges: v.pinChanges,
      hidden: v.hidden,
    };
    if (v.consentId) out.consentId = v.consentId;
    return out;
  }

  /** The tools Warden knows of a server (listed this run, or pinned earlier), each with its policy view. */
  tools(server: string): ToolPolicyView[] {
    this.#fresh();
    const names = new Set([...Object.keys(this.#file.pins[server] ?? {}), ...(this.#seen.get(server)?.keys() ?? [])]);
    return [...names].sort().map((name) => {
      const view = this.check(server, name, {});
      const def = this.#seen.get(server)?.get(name) ?? this.#file.pins[server]?.[name]?.definition;
      const o = this.#overrides.get(overrideKey(server, name));
      return { ...view, ...(def?.description !== undefined ? { description: def.description } : {}), ...(o ? { override: o.effect } : {}) };
    });
  }

  /** Engine stopping: every waiting call is denied (fail closed), later calls too. */
  close(reason = 'Warden is stopping'): void {
    this.#closed = reason;
    clearInterval(this.#pruner);
    this.#broker.close(reason);
  }
}

function policyDeny(_who: string, v: PolicyDecision): Decision {
  const how =
    v.approver === 'managed'
      ? 'This is set by your organisation and cannot be changed in Warden.'
      : v.ruleId === 'tier:blocked'
        ? 'If the server should be used, ask the user to change its trust tier in Warden (Servers & tools, or `warden servers tier`).'
        : v.ruleId.startsWith('rule:') || v.ruleId.startsWith('consent:')
          ? 'If the call is needed, ask the user to remove this answer in Warden (Approvals → Answers that still hold, or `warden policy rules`).'
          : "If the call is needed, ask the user to change the tool's override or the server's tier in Warden (Servers & tools).";
  return {
    effect: 'deny',
    ruleId: v.ruleId,
    risk: v.risk,
    approver: v.approver,
    consentId: v.consentId,
    status: 'denied',
    reasons: [...v.reasons, how],
  };
}

/** Arguments as an approval card shows them: long strings shortened (the call itself is unchanged). */
export function forDisplay(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > 4000 ? `${value.slice(0, 4000)}… (${value.length - 4000} more characters)` : value;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => forDisplay(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forDisplay(v, depth + 1)]));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function closedDecision(who: string, reason: string): Decision {
  return {
    effect: 'deny',
    ruleId: 'guardian:stopped',
    approver: 'policy',
    status: 'denied',
    reasons: [`Warden denied ${who}: ${reason}, and calls are not let through while it is not running. Retry once Warden runs again.`],
  };
}

export function createGuardian(opts: GuardianOptions): Guardian {
  return new Guardian(opts);
}
