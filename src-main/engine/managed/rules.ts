// Matching a call against the managed rules. Unlike a person's rules (exact names or `*`), managed
// rules take globs (`write_*`, `github-*`), so IT can say "no write tools anywhere" in one line. Among
// the rules that match, the most restrictive wins (deny over ask over allow); ties go to the first
// listed. Rules are compiled once per policy (exact server names indexed, globs turned into regular
// expressions), so a call costs a map lookup plus the glob rules. Pure.
import type { ManagedPolicy, ManagedRule } from '../../../shared/managed.js';
import type { Effect } from '../../../shared/words.js';
import { ruleMatches, type PathMemo } from '../policy/rules.js';
import { globRegExp, isGlob } from './glob.js';

const RANK: Record<Effect, number> = { deny: 2, ask: 1, allow: 0 };

type NameTest = (name: string) => boolean;
interface Compiled {
  rule: ManagedRule;
  order: number;
  tool: NameTest;
}
interface Index {
  /** Rules whose server is an exact name. */
  byServer: Map<string, Compiled[]>;
  /** Rules whose server is `*` or a glob, with the server test. */
  anyServer: Array<Compiled & { server: NameTest }>;
}

const nameTest = (pattern: string): NameTest => {
  if (pattern === '*') return () => true;
  if (!isGlob(pattern)) return (name) => name === pattern;
  const re = globRegExp(pattern);
  return (name) => re.test(name);
};

const indexes = new WeakMap<Pick<ManagedPolicy, 'rules'>, Index>();

function indexOf(policy: Pick<ManagedPolicy, 'rules'>): Index {
  let index = indexes.get(policy);
  if (!index) {
    index = { byServer: new Map(), anyServer: [] };
    policy.rules.forEach((rule, order) => {
      const compiled = { rule, order, tool: nameTest(rule.tool) };
      if (isGlob(rule.server)) index!.anyServer.push({ ...compiled, server: nameTest(rule.server) });
      else {
        const list = index!.byServer.get(rule.server);
        if (list) list.push(compiled);
        else index!.byServer.set(rule.server, [compiled]);
      }
    });
    indexes.set(policy, index);
  }
  return index;
}

export function matchManagedRule(policy: Pick<ManagedPolicy, 'rules'>, server: string, tool: string, clientId: string, args: Record<string, unknown>): ManagedRule | undefined {
  if (policy.rules.length === 0) return undefined;
  const index = indexOf(policy);
  let best: Compiled | undefined;
  let memo: PathMemo | undefined;
  const consider = (c: Compiled) => {
    if (best && (RANK[c.rule.effect] < RANK[best.rule.effect] || (RANK[c.rule.effect] === RANK[best.rule.effect] && c.order > best.order))) return;
    if (!c.tool(tool)) return;
    if (c.rule.when.length && !memo) memo = new Map();
    if (!ruleMatches(c.rule, clientId, args, memo)) return;
    best = c;
  };
  for (const c of index.byServer.get(server) ?? []) consider(c);
  for (const c of index.anyServer) if (c.server(server)) consider(c);
  return best?.rule;
}
