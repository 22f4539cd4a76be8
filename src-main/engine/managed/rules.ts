// Matching a call against the managed rules. Unlike a person's rules (exact names or `*`), managed
// rules take globs (`write_*`, `github-*`), so IT can say "no write tools anywhere" in one line. Among
// the rules that match, the most restrictive wins (deny over ask over allow); ties go to the first
// listed. Pure.
import type { ManagedPolicy, ManagedRule } from '../../../shared/managed.js';
import type { Effect } from '../../../shared/words.js';
import { ruleMatches, type PathMemo } from '../policy/rules.js';
import { globMatches } from './glob.js';

const RANK: Record<Effect, number> = { deny: 2, ask: 1, allow: 0 };

export function matchManagedRule(policy: Pick<ManagedPolicy, 'rules'>, server: string, tool: string, clientId: string, args: Record<string, unknown>): ManagedRule | undefined {
  let best: ManagedRule | undefined;
  let memo: PathMemo | undefined;
  for (const rule of policy.rules) {
    if (best && RANK[rule.effect] <= RANK[best.effect]) continue;
    if (!globMatches(rule.server, server) || !globMatches(rule.tool, tool)) continue;
    if (rule.when.length && !memo) memo = new Map();
    if (!ruleMatches(rule, clientId, args, memo)) continue;
    best = rule;
    if (rule.effect === 'deny') break;
  }
  return best;
}
