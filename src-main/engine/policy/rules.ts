// Standing rules: matching a call's server, tool, client and arguments. Indexed by server and tool so
// that a thousand rules cost a few map lookups per call. Pure.
import { posix, win32 } from 'node:path';
import type { ArgConstraint } from '../../../shared/policy.js';
import type { Effect } from '../../../shared/words.js';

export interface MatchableRule {
  id: string;
  server: string;
  tool: string;
  effect: Effect;
  when: ArgConstraint[];
  client?: string;
}

const isWindowsPath = (p: string) => /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');

/** Normalises a path so that `..` cannot walk out of a prefix; undefined when it is not an absolute path. */
export function normalisePath(p: string): { path: string; windows: boolean } | undefined {
  if (typeof p !== 'string' || !p || p.includes('\0')) return undefined;
  if (isWindowsPath(p)) return { path: win32.normalize(p).toLowerCase().replace(/\\+$/, ''), windows: true };
  if (p.startsWith('/')) return { path: posix.normalize(p).replace(/\/+$/, '') || '/', windows: false };
  if (p.startsWith('~/')) return { path: posix.normalize(p).replace(/\/+$/, ''), windows: false };
  return undefined;
}

type Normalised = { path: string; windows: boolean } | undefined;
const prefixCache = new Map<string, Normalised>();

/** Prefixes come from rules: normalised once and kept (bounded by the number of distinct prefixes in use). */
function normalisedPrefix(prefix: string): Normalised {
  if (prefixCache.has(prefix)) return prefixCache.get(prefix);
  const n = normalisePath(prefix);
  if (prefixCache.size > 50_000) prefixCache.clear();
  prefixCache.set(prefix, n);
  return n;
}

/** Per-call memo of normalised argument values, so that many rules on one argument cost one normalisation. */
export type PathMemo = Map<string, Normalised>;

export function underPrefix(value: string, prefix: string, memo?: PathMemo): boolean {
  let v: Normalised;
  if (memo?.has(value)) v = memo.get(value);
  else {
    v = normalisePath(value);
    memo?.set(value, v);
  }
  const p = normalisedPrefix(prefix);
  if (!v || !p || v.windows !== p.windows) return false;
  const sep = v.windows ? '\\' : '/';
  if (p.path === '/' || p.path === '') return true;
  return v.path === p.path || v.path.startsWith(p.path.endsWith(sep) ? p.path : p.path + sep);
}

/**
 * Whether one constraint holds for the call's arguments. An array argument (e.g. `paths`) holds only
 * when every element holds (`all`) or when any does (`any`: used for deny rules, which should catch
 * one bad path among many).
 */
export function constraintHolds(c: ArgConstraint, args: Record<string, unknown>, mode: 'all' | 'any', memo?: PathMemo): boolean {
  if (!Object.prototype.hasOwnProperty.call(args, c.arg)) return false;
  const v = args[c.arg];
  const one = (x: unknown) => (c.op === 'prefix' ? typeof x === 'string' && underPrefix(x, c.value, memo) : x === c.value);
  if (Array.isArray(v) && c.op === 'prefix') return v.length > 0 && (mode === 'all' ? v.every(one) : v.some(one));
  return one(v);
}

export function ruleMatches(rule: MatchableRule, clientId: string, args: Record<string, unknown>, memo?: PathMemo): boolean {
  if (rule.client && rule.client !== clientId) return false;
  const mode = rule.effect === 'deny' ? 'any' : 'all';
  for (const c of rule.when) if (!constraintHolds(c, args, mode, memo)) return false;
  return true;
}

export function describeConstraint(c: ArgConstraint): string {
  return c.op === 'prefix' ? `\`${c.arg}\` under ${c.value}` : `\`${c.arg}\` = ${JSON.stringify(c.value)}`;
}

const key = (server: string, tool: string) => `${server}\u0000${tool}`;
const RANK: Record<Effect, number> = { deny: 2, ask: 1, allow: 0 };

/** Rules indexed by (server, tool), with `*` for either. */
export class RuleIndex<R extends MatchableRule = MatchableRule> {
  private readonly byKey = new Map<string, R[]>();
  readonly size: number;

  constructor(rules: readonly R[]) {
    for (const r of rules) {
      const k = key(r.server, r.tool);
      const list = this.byKey.get(k);
      if (list) list.push(r);
      else this.byKey.set(k, [r]);
    }
    this.size = rules.length;
  }

  /**
   * The rule that decides a call: among all that match, the most restrictive (deny over ask over
   * allow), so that an "always deny" can never be outflanked by an "always allow"; ties go to the
   * one listed first.
   */
  match(server: string, tool: string, clientId: string, args: Record<string, unknown>): R | undefined {
    let best: R | undefined;
    if (this.size === 0) return undefined;
    let memo: PathMemo | undefined;
    for (let i = 0; i < 4; i++) {
      const list = this.byKey.get(i === 0 ? key(server, tool) : i === 1 ? key(server, '*') : i === 2 ? key('*', tool) : key('*', '*'));
      if (!list) continue;
      for (const r of list) {
        if (!best || RANK[r.effect] > RANK[best.effect]) {
          if (r.when.length && !memo) memo = new Map();
          if (!ruleMatches(r, clientId, args, memo)) continue;
          best = r;
          if (r.effect === 'deny') return r;
        }
      }
    }
    return best;
  }
}
