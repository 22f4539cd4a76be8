// Turns a managed policy file's text into the policy, or into a list of problems a person can act on:
// each names where it is (JSON path and line) and what would be accepted there. Pure.
import { findNodeAtLocation, parseTree, type ParseError } from 'jsonc-parser';
import { describeSyntaxError } from '../json-syntax.js';
import type { z } from 'zod';
import { ManagedPolicy, type ManagedProblem } from '../../../shared/managed.js';

export type ParseResult = { ok: true; policy: ManagedPolicy } | { ok: false; problems: ManagedProblem[] };

const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(String(p))) out += out ? `.${String(p)}` : String(p);
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 80) ?? String(v));

const HINTS: Record<string, string> = {
  version: 'Use "version": 1.',
  effect: 'Use "allow", "ask" or "deny".',
  tier: 'Use "trusted", "standard", "restricted" or "blocked".',
  protocol: 'Use "tcp" or "udp".',
  op: 'Use "prefix" (an absolute path) or "equals".',
};

function explainIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const last = issue.path[issue.path.length - 1];
  const got = valueAt(root, issue.path);
  const hint = typeof last === 'string' && HINTS[last] ? ` ${HINTS[last]}` : '';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (a typo? See docs/managed-policy.schema.json for the keys Warden reads).`;
    case 'invalid_type':
      return got === undefined ? `is required (expected ${issue.expected}).${hint}` : `expected ${issue.expected}, not ${show(got)}.${hint}`;
    case 'invalid_value':
      return `${show(got)} is not accepted.${hint || ` Use ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}.`}`;
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}.` : `${show(got)} is too small: the minimum is ${String(issue.minimum)}.`;
    case 'too_big':
      return `${show(got)} is too big: the maximum is ${String(issue.maximum)}.`;
    case 'invalid_format':
    case 'invalid_union':
      return `${show(got)} is not valid here: ${issue.message}.${hint}`;
    default:
      return `${issue.message}.${hint}`;
  }
}

/** Parses and validates a managed policy file's text. Never throws. */
export function parseManagedPolicy(text: string): ParseResult {
  if (!text.trim()) return { ok: false, problems: [{ path: '', message: 'the file is empty: it must hold a JSON object such as {"version": 1}.' }] };
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length || !tree) {
    const problems = errors.length
      ? errors.slice(0, 10).map((e) => ({ path: '', line: lineOf(text, e.offset), message: `not valid JSON: ${describeSyntaxError(e.error)}.` }))
      : [{ path: '', message: 'the file is empty: it must hold a JSON object such as {"version": 1}.' }];
    return { ok: false, problems };
  }
  const root = JSON.parse(text) as unknown;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    return { ok: false, problems: [{ path: '', line: 1, message: `the file must hold a JSON object such as {"version": 1}, not ${show(root)}.` }] };
  }
  const parsed = ManagedPolicy.safeParse(root);
  if (parsed.success) {
    const problems = semanticProblems(parsed.data);
    return problems.length ? { ok: false, problems: problems.map((p) => ({ ...p, line: lineAt(text, tree, p.at) })).map(({ at: _at, ...p }) => p) } : { ok: true, policy: parsed.data };
  }
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const path = issue.path as PropertyKey[];
      // An unknown key is reported on its object; its line is the key's own.
      const at = issue.code === 'unrecognized_keys' && issue.keys.length ? [...path, issue.keys[0]!] : path;
      return { path: pathText(path), line: lineAt(text, tree, at), message: explainIssue(issue, root) };
    }),
  };
}

function lineAt(text: string, tree: ReturnType<typeof parseTree>, path: readonly PropertyKey[]): number | undefined {
  if (!tree) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(tree, path.slice(0, n).map((p) => (typeof p === 'number' ? p : String(p))));
    if (node) return lineOf(text, node.parent?.type === 'property' ? node.parent.offset : node.offset);
  }
  return undefined;
}

/** Checks a schema cannot express: duplicate rule ids, a server both listed and forbidden by the allow-list. */
function semanticProblems(policy: ManagedPolicy): Array<Omit<ManagedProblem, 'line'> & { at: PropertyKey[] }> {
  const out: Array<Omit<ManagedProblem, 'line'> & { at: PropertyKey[] }> = [];
  const seen = new Map<string, number>();
  policy.rules.forEach((r, i) => {
    const first = seen.get(r.id);
    if (first !== undefined) out.push({ path: pathText(['rules', i, 'id']), at: ['rules', i, 'id'], message: `rule id "${r.id}" is already used by rules[${first}]: each rule needs its own id.` });
    else seen.set(r.id, i);
  });
  if (policy.onlyListedServers && !Object.values(policy.servers).some((s) => !s.forbidden)) {
    out.push({ path: 'onlyListedServers', at: ['onlyListedServers'], message: 'is true but "servers" lists no allowed server, so no server could be used. List the allowed servers under "servers", or set it to false.' });
  }
  return out;
}

/** One paragraph for logs, decisions and `warden status`. */
export function summarizeProblems(path: string, problems: ManagedProblem[]): string {
  const parts = problems.slice(0, 5).map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`);
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return `The managed policy file ${path} is not valid: ${parts.join(' ')}${more}`;
}
