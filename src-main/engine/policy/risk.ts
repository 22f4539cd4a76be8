// How much harm one tool can do (low: reads; medium: writes that destroy nothing; high: destructive,
// or reaching the outside world). From the tool's annotations only when its server is trusted to
// describe itself; otherwise from conservative name and description heuristics, and annotations may
// only raise the risk. Pure.
import type { Risk, Tier } from '../../../shared/words.js';

export interface ToolShape {
  name: string;
  description?: string;
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean; [k: string]: unknown };
}

export interface RiskAssessment {
  risk: Risk;
  reasons: string[];
}

const ORDER: Record<Risk, number> = { low: 0, medium: 1, high: 2 };
export const maxRisk = (a: Risk, b: Risk): Risk => (ORDER[a] >= ORDER[b] ? a : b);

// Words in a tool's name. High: destroys, executes, or reaches the outside world.
const HIGH_WORDS = new Set([
  'delete', 'del', 'remove', 'rm', 'drop', 'destroy', 'purge', 'wipe', 'erase', 'truncate', 'kill', 'terminate',
  'exec', 'execute', 'run', 'shell', 'bash', 'cmd', 'command', 'eval', 'spawn', 'script', 'sudo',
  'send', 'post', 'publish', 'email', 'mail', 'sms', 'tweet', 'notify', 'invite', 'share',
  'pay', 'payment', 'transfer', 'purchase', 'buy', 'order', 'charge', 'refund', 'withdraw',
  'deploy', 'push', 'merge', 'release', 'upload', 'overwrite', 'revoke', 'reset', 'format', 'uninstall', 'install',
]);
// Reads: the only words that can make a tool low risk.
const LOW_WORDS = new Set([
  'read', 'get', 'list', 'search', 'find', 'query', 'show', 'describe', 'view', 'lookup', 'look', 'count', 'stat',
  'stats', 'info', 'inspect', 'echo', 'ping', 'tree', 'open', 'status', 'diff', 'log', 'logs', 'print', 'peek',
  'head', 'tail', 'check', 'validate', 'sum', 'help', 'version', 'whoami',
]);
// Writes that destroy nothing.
const MEDIUM_WORDS = new Set([
  'write', 'create', 'add', 'update', 'set', 'edit', 'modify', 'rename', 'move', 'mv', 'insert', 'put', 'save',
  'toggle', 'append', 'patch', 'change', 'make', 'new', 'copy', 'cp', 'mkdir', 'commit', 'fetch', 'download',
  'browse', 'navigate', 'request', 'http', 'call', 'invoke', 'trigger', 'start', 'stop', 'enable', 'disable',
]);

const DESCRIPTION_HIGH = [
  /\b(permanently|irreversibl[ey]|cannot be undone)\b/i,
  /\b(delete|deletes|deleting|erase|erases|wipe|wipes|destroy|destroys)\b/i,
  /\b(overwrite|overwrites|overwriting)\b/i,
  /\b(execute|executes|executing|run|runs)\s+(an?\s+|the\s+|any\s+|arbitrary\s+)?(shell|command|commands|code|script|program)s?\b/i,
  /\b(send|sends|sending|post|posts|publish|publishes)\s+(an?\s+|the\s+)?(e-?mail|message|tweet|sms|payment|post|request to)\b/i,
  /\b(payment|pay for|transfer (funds|money)|purchase|charge the)\b/i,
];

export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Risk from the name and description alone: a read only when the name says so and nothing else raises it. */
export function heuristicRisk(tool: ToolShape): RiskAssessment {
  const words = nameWords(tool.name);
  const high = words.find((w) => HIGH_WORDS.has(w));
  if (high) return { risk: 'high', reasons: [`The name \`${tool.name}\` suggests a destructive or outward action ("${high}").`] };
  const descHigh = tool.description ? DESCRIPTION_HIGH.find((re) => re.test(tool.description!)) : undefined;
  if (descHigh) {
    const m = tool.description!.match(descHigh)!;
    return { risk: 'high', reasons: [`The description says "${m[0]}": treated as destructive or outward.`] };
  }
  const medium = words.find((w) => MEDIUM_WORDS.has(w));
  if (medium) return { risk: 'medium', reasons: [`The name \`${tool.name}\` suggests a change ("${medium}").`] };
  if (words.length && LOW_WORDS.has(words[0]!)) return { risk: 'low', reasons: [`The name \`${tool.name}\` suggests a read ("${words[0]}").`] };
  return { risk: 'medium', reasons: [`The name \`${tool.name}\` does not say what the tool does: treated as medium risk.`] };
}

const hasHints = (a: ToolShape['annotations']) =>
  !!a && (typeof a.readOnlyHint === 'boolean' || typeof a.destructiveHint === 'boolean' || typeof a.openWorldHint === 'boolean');

/** Risk as the annotations describe it, with the MCP defaults for hints left out (not read-only, destructive, open world). */
export function annotationRisk(annotations: NonNullable<ToolShape['annotations']>): RiskAssessment {
  const readOnly = annotations.readOnlyHint === true;
  const destructive = annotations.destructiveHint !== false;
  const openWorld = annotations.openWorldHint !== false;
  if (readOnly) return { risk: 'low', reasons: ['Annotated read-only by its server.'] };
  if (destructive) return { risk: 'high', reasons: ['Annotated as possibly destructive by its server (or not declared otherwise).'] };
  if (openWorld) return { risk: 'high', reasons: ['Annotated as reaching the outside world by its server.'] };
  return { risk: 'medium', reasons: ['Annotated as a change that destroys nothing by its server.'] };
}

/** Annotations from a server that is not trusted may only raise risk: an explicit hint that says so. */
function raisingHints(annotations: ToolShape['annotations']): RiskAssessment | undefined {
  if (!annotations) return undefined;
  if (annotations.readOnlyHint !== true && annotations.destructiveHint === true)
    return { risk: 'high', reasons: ['destructiveHint raises the risk to high.'] };
  if (annotations.readOnlyHint !== true && annotations.openWorldHint === true)
    return { risk: 'high', reasons: ['openWorldHint on a tool that writes raises the risk to high.'] };
  if (annotations.readOnlyHint === false) return { risk: 'medium', reasons: ['readOnlyHint is false: at least medium risk.'] };
  if (annotations.openWorldHint === true) return { risk: 'medium', reasons: ['openWorldHint raises the risk to at least medium.'] };
  return undefined;
}

export function assessRisk(tool: ToolShape, tier: Tier, flagged = false): RiskAssessment {
  let out: RiskAssessment;
  if (tier === 'trusted' && hasHints(tool.annotations)) {
    out = annotationRisk(tool.annotations!);
    out = { risk: out.risk, reasons: [...out.reasons, 'The server is trusted: its annotations decide the risk.'] };
  } else {
    const h = heuristicRisk(tool);
    out = { risk: h.risk, reasons: [...h.reasons] };
    const up = raisingHints(tool.annotations);
    if (up && ORDER[up.risk] > ORDER[out.risk]) out = { risk: up.risk, reasons: [...out.reasons, ...up.reasons] };
    const a = tool.annotations;
    if (a && tier !== 'trusted') {
      const lowering = (['readOnlyHint', 'destructiveHint', 'idempotentHint'] as const).filter(
        (k) => (k === 'readOnlyHint' && a[k] === true) || (k !== 'readOnlyHint' && a[k] === false) || (k === 'idempotentHint' && a[k] === true),
      );
      if (lowering.length) out.reasons.push(`${lowering.join(', ')} from a ${tier} server ignored: only a trusted server's annotations may lower risk.`);
    }
  }
  if (flagged && out.risk !== 'high') out = { risk: 'high', reasons: [...out.reasons, 'Flagged for possible tool poisoning: treated as high risk.'] };
  else if (flagged) out.reasons.push('Flagged for possible tool poisoning.');
  return out;
}
