// Standing rules: matching a call's server, tool, client and arguments. Indexed by server and tool so
// that a thousand rules cost a few map lookups per call. Pure but for path constraints, which look at
// the file system for symlinks.
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/**
 * The real path of `p` where it exists: symlinks resolved on the longest part that exists, the rest
 * (a file about to be written) kept as given. A link inside an allowed folder then counts where it
 * leads, as the server will follow it.
 */
function realPath(p: string, path: typeof posix): string {
  let head = p;
  const rest: string[] = [];
  for (let i = 0; i < 64; i++) {
    try {
      const real = realpathSync.native(head);
      return rest.length ? path.join(real, ...rest.reverse()) : real;
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return p;
      rest.push(path.basename(head));
      head = parent;
    }
  }
  return p;
}

/**
 * Normalises a path argument the way the server will read it, so that `..`, `~`, a file: URL, a
 * symlink or (on macOS and Windows) letter case cannot walk out of a prefix or around one; undefined
 * when it is not an absolute path (a relative one is resolved by the server against folders Warden
 * does not know).
 */
export function normalisePath(p: string, platform: NodeJS.Platform = process.platform): { path: string; windows: boolean } | undefined {
  if (typeof p !== 'string' || !p || p.includes('\0')) return undefined;
  if (p.startsWith('file:')) {
    try {
      p = fileURLToPath(p);
    } catch {
      return undefined;
    }
  }
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) p = homedir() + p.slice(1);
  if (p.startsWith('\\\\?\\') || p.startsWith('\\\\.\\')) p = p.slice(4);
  if (isWindowsPath(p)) {
    const normal = win32.normalize(p);
    const real = platform === 'win32' ? realPath(normal, win32) : normal;
    return { path: real.toLowerCase().replace(/\\+$/, ''), windows: true };
  }
  if (!p.startsWith('/')) return undefined;
  const real = platform === 'win32' ? posix.normalize(p) : realPath(posix.normalize(p), posix);
  const folded = platform === 'darwin' ? real.normalize('NFC').toLowerCase() : real;
  return { path: folded.replace(/\/+$/, '') || '/', windows: false };
}

type Normalised = { path: string; windows: boolean } | undefined;

/** Per-call memo of normalised values (arguments and prefixes), so that many rules on one argument cost one normalisation. */
export type PathMemo = Map<string, Normalised>;

function normalisedIn(value: string, memo?: PathMemo): Normalised {
  if (memo?.has(value)) return memo.get(value);
  const n = normalisePath(value);
  memo?.set(value, n);
  return n;
}

/** Whether `value` lies under `prefix`; undefined when that cannot be told (a relative path, another kind of path). */
export function underPrefix(value: string, prefix: string, memo?: PathMemo): boolean | undefined {
  const p = normalisedIn(prefix, memo);
  if (!p) return false; // a rule with a prefix that is no absolute path holds for nothing
  const v = normalisedIn(value, memo);
  if (!v || v.windows !== p.windows) return undefined;
  const sep = v.windows ? '\\' : '/';
  if (p.path === '/' || p.path === '') return true;
  return v.path === p.path || v.path.startsWith(p.path.endsWith(sep) ? p.path : p.path + sep);
}

/**
 * Whether one constraint holds for the call's arguments. An array argument (e.g. `paths`) holds only
 * when every element holds (`all`) or when any does (`any`: used for deny rules, which should catch
 * one bad path among many). A path that cannot be placed counts as under the prefix for a deny or an
 * ask (fail closed) and as outside it for an allow.
 */
export function constraintHolds(c: ArgConstraint, args: Record<string, unknown>, mode: 'all' | 'any', memo?: PathMemo): boolean {
  if (!Object.prototype.hasOwnProperty.call(args, c.arg)) return false;
  const v = args[c.arg];
  const one = (x: unknown) => (c.op === 'prefix' ? typeof x === 'string' && (underPrefix(x, c.value, memo) ?? mode === 'any') : x === c.value);
  if (Array.isArray(v) && c.op === 'prefix') return v.length > 0 && (mode === 'all' ? v.every(one) : v.some(one));
  return one(v);
}

export function ruleMatches(rule: MatchableRule, clientId: string, args: Record<string, unknown>, memo?: PathMemo): boolean {
  if (rule.client && rule.client !== clientId) return false;
  const mode = rule.effect === 'allow' ? 'all' : 'any';
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
