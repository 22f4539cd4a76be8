// Canonical JSON (keys sorted, no whitespace) and the argument digest the audit log records instead
// of argument values. Pure.
import { hash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return canonicalJson(toJSON.call(value));
  const entries = Object.keys(value)
    .filter((key) => {
      const item = (value as Record<string, unknown>)[key];
      return item !== undefined && typeof item !== 'function' && typeof item !== 'symbol';
    })
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** Whether `value` nests objects or arrays deeper than `limit` levels; checked without recursion. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: object; depth: number }> = value !== null && typeof value === 'object' ? [{ value, depth: 0 }] : [];
  for (let top = stack.pop(); top; top = stack.pop()) {
    if (top.depth >= limit) return true;
    for (const child of Array.isArray(top.value) ? top.value : Object.values(top.value)) {
      if (child !== null && typeof child === 'object') stack.push({ value: child as object, depth: top.depth + 1 });
    }
  }
  return false;
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** `sha256:<hex>` of the canonical JSON of a call's arguments. */
export function argumentsDigest(args: Record<string, unknown> | undefined): string {
  return `sha256:${sha256Hex(canonicalJson(args ?? {}))}`;
}

/** The top-level argument names, sorted: what the log says about arguments by default. */
export function argumentNames(args: Record<string, unknown> | undefined): string[] {
  return Object.keys(args ?? {}).sort();
}
