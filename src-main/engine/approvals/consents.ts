// Consents: the records every answer to an approval creates. Time-limited (5m, 1h) and session
// consents decide later calls until they expire or are revoked; `always` consents are listed here and
// decide through the standing rule they created; `once` answers are kept only as history. Pure: the
// clock is passed in.
import type { ArgConstraint, Consent, ConsentScope } from '../../../shared/policy.js';
import { ruleMatches } from '../policy/rules.js';

const DURATION: Partial<Record<ConsentScope, number>> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };
const key = (server: string, tool: string) => `${server}\u0000${tool}`;

export function consentExpiry(scope: ConsentScope, now: number): string | undefined {
  const ms = DURATION[scope];
  return ms === undefined ? undefined : new Date(now + ms).toISOString();
}

export interface NewConsent {
  effect: 'allow' | 'deny';
  scope: ConsentScope;
  server: string;
  tool: string;
  client?: string;
  sessionId?: string;
  when?: ArgConstraint[];
  approvalId?: string;
  approver: string;
  ruleId?: string;
}

export class ConsentBook {
  private readonly active = new Map<string, Consent>();
  private readonly byTool = new Map<string, Consent[]>();
  private readonly history: Consent[] = [];
  private seq = 0;

  constructor(existing: readonly Consent[] = [], now = Date.now()) {
    for (const c of existing) {
      // Session consents end with the engine; expired ones are gone.
      if (c.scope === 'session' || c.scope === 'once') continue;
      if (c.expiresAt && Date.parse(c.expiresAt) <= now) continue;
      this.put(c);
    }
  }

  /** Adds an existing record as it is (tests, imports). */
  add(c: Consent): void {
    this.put(c);
  }

  private put(c: Consent) {
    this.active.set(c.id, c);
    if (c.scope === 'always') return;
    const k = key(c.server, c.tool);
    const list = this.byTool.get(k);
    if (list) list.push(c);
    else this.byTool.set(k, [c]);
  }

  /** Ids stay unique across restarts (once-answers are not persisted but are in the audit log). */
  nextId(now = Date.now()): string {
    this.seq += 1;
    return `c${now.toString(36)}${this.seq.toString(36)}`;
  }

  create(input: NewConsent, now: number, id = this.nextId()): Consent {
    const c: Consent = {
      id,
      effect: input.effect,
      scope: input.scope,
      server: input.server,
      tool: input.tool,
      when: input.when ?? [],
      approver: input.approver,
      createdAt: new Date(now).toISOString(),
    };
    if (input.scope !== 'always' && input.client) c.client = input.client;
    if (input.scope === 'session' && input.sessionId) c.sessionId = input.sessionId;
    if (input.approvalId) c.approvalId = input.approvalId;
    if (input.ruleId) c.ruleId = input.ruleId;
    const exp = consentExpiry(input.scope, now);
    if (exp) c.expiresAt = exp;
    if (input.scope === 'once') {
      this.history.push(c);
      if (this.history.length > 200) this.history.shift();
    } else this.put(c);
    return c;
  }

  /** The time-limited or session consent that decides a call, if any (a deny wins over an allow). */
  match(server: string, tool: string, clientId: string, sessionId: string, args: Record<string, unknown>, now: number): Consent | undefined {
    const list = this.byTool.get(key(server, tool));
    if (!list) return undefined;
    let best: Consent | undefined;
    for (const c of list) {
      if (c.expiresAt && Date.parse(c.expiresAt) <= now) continue;
      if (c.sessionId && c.sessionId !== sessionId) continue;
      if (c.client && c.client !== clientId) continue;
      if (!ruleMatches({ id: c.id, server, tool, effect: c.effect, when: c.when }, clientId, args)) continue;
      if (!best || (c.effect === 'deny' && best.effect === 'allow')) best = c;
      if (best.effect === 'deny') break;
    }
    return best;
  }

  /** Active consents (expired ones dropped first). */
  list(now: number): Consent[] {
    this.prune(now);
    return [...this.active.values()];
  }

  recent(): Consent[] {
    return [...this.history];
  }

  get(id: string): Consent | undefined {
    return this.active.get(id);
  }

  revoke(id: string): Consent | undefined {
    const c = this.active.get(id);
    if (!c) return undefined;
    this.active.delete(id);
    const k = key(c.server, c.tool);
    const list = this.byTool.get(k);
    if (list) {
      const rest = list.filter((x) => x.id !== id);
      if (rest.length) this.byTool.set(k, rest);
      else this.byTool.delete(k);
    }
    return c;
  }

  /** Ends a session's consents (its client disconnected). */
  endSession(sessionId: string): Consent[] {
    const gone = [...this.active.values()].filter((c) => c.sessionId === sessionId);
    for (const c of gone) this.revoke(c.id);
    return gone;
  }

  /** Drops expired consents; returns them. */
  prune(now: number): Consent[] {
    const gone = [...this.active.values()].filter((c) => c.expiresAt && Date.parse(c.expiresAt) <= now);
    for (const c of gone) this.revoke(c.id);
    return gone;
  }

  /** Takes over what lives only in memory from the book this one replaces (policy.json read again): session consents, answer history, ids. */
  carryOver(from: ConsentBook): void {
    for (const c of from.active.values()) if (c.scope === 'session' && !this.active.has(c.id)) this.put(c);
    this.history.push(...from.history);
    this.seq = Math.max(this.seq, from.seq);
  }

  /** What survives a restart: time-limited and standing consents. */
  persistent(): Consent[] {
    return [...this.active.values()].filter((c) => c.scope !== 'session');
  }
}
