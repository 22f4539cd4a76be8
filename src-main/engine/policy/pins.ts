// Tool pins: a hash of what a model reads of a tool (name, title, description, input and output
// schemas, annotations).
// The first sight of a tool pins it; a definition that differs later is a pin change that asks until
// a person accepts it. Pure (hashing is computation, not I/O).
import { createHash } from 'node:crypto';
import type { Pin, PinChange, PinnedDefinition, PinStatus } from '../../../shared/policy.js';

export interface ToolDefinitionLike {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

/** JSON with object keys sorted, so that key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function pinnedDefinition(tool: ToolDefinitionLike): PinnedDefinition {
  const def: PinnedDefinition = { name: tool.name, inputSchema: tool.inputSchema ?? null };
  if (typeof tool.title === 'string') def.title = tool.title;
  if (tool.description !== undefined) def.description = tool.description;
  if (tool.outputSchema !== undefined) def.outputSchema = tool.outputSchema;
  if (tool.annotations !== undefined) def.annotations = tool.annotations;
  return def;
}

const hashCache = new WeakMap<object, string>();

/** sha256 over the canonical definition. Cached per object: the gateway passes the listed object along. */
export function hashTool(tool: ToolDefinitionLike): string {
  const cached = hashCache.get(tool);
  if (cached) return cached;
  const d = pinnedDefinition(tool);
  const hash = createHash('sha256')
    // title and outputSchema only when present: pins made before they were covered keep their hash.
    .update(canonicalJson({ name: d.name, title: d.title, description: d.description ?? null, inputSchema: d.inputSchema ?? null, outputSchema: d.outputSchema, annotations: d.annotations ?? null }))
    .digest('hex');
  hashCache.set(tool, hash);
  return hash;
}

const short = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}…` : s);

function schemaProps(schema: unknown): Record<string, unknown> {
  const p = (schema as { properties?: unknown } | null)?.properties;
  return p && typeof p === 'object' ? (p as Record<string, unknown>) : {};
}

/** What changed between two definitions, in words a person can check. */
export function diffDefinitions(before: PinnedDefinition, after: PinnedDefinition): PinChange[] {
  const out: PinChange[] = [];
  if (before.name !== after.name) out.push({ field: 'name', summary: `Name changed from \`${before.name}\` to \`${after.name}\`.`, before: before.name, after: after.name });
  if ((before.description ?? '') !== (after.description ?? '')) {
    const b = before.description ?? '';
    const a = after.description ?? '';
    let i = 0;
    while (i < b.length && i < a.length && b[i] === a[i]) i++;
    let j = 0;
    while (j < b.length - i && j < a.length - i && b[b.length - 1 - j] === a[a.length - 1 - j]) j++;
    const removed = b.slice(i, b.length - j);
    const added = a.slice(i, a.length - j);
    const parts = [added && `added "${short(added, 200)}"`, removed && `removed "${short(removed, 200)}"`].filter(Boolean);
    out.push({ field: 'description', summary: `Description changed: ${parts.join('; ')}.`, before: short(b, 2000), after: short(a, 2000) });
  }
  if (canonicalJson(before.inputSchema ?? null) !== canonicalJson(after.inputSchema ?? null)) {
    const bp = schemaProps(before.inputSchema);
    const ap = schemaProps(after.inputSchema);
    const added = Object.keys(ap).filter((k) => !(k in bp));
    const removed = Object.keys(bp).filter((k) => !(k in ap));
    const changed = Object.keys(ap).filter((k) => k in bp && canonicalJson(ap[k]) !== canonicalJson(bp[k]));
    const parts = [
      added.length && `added argument${added.length > 1 ? 's' : ''} ${added.map((k) => `\`${k}\``).join(', ')}`,
      removed.length && `removed ${removed.map((k) => `\`${k}\``).join(', ')}`,
      changed.length && `changed ${changed.map((k) => `\`${k}\``).join(', ')}`,
    ].filter(Boolean);
    out.push({
      field: 'inputSchema',
      summary: `Input schema changed${parts.length ? `: ${parts.join('; ')}` : ''}.`,
      before: short(canonicalJson(before.inputSchema ?? null), 2000),
      after: short(canonicalJson(after.inputSchema ?? null), 2000),
    });
  }
  if ((before.title ?? '') !== (after.title ?? '')) {
    out.push({ field: 'title', summary: `Title changed from "${short(before.title ?? '', 200)}" to "${short(after.title ?? '', 200)}".`, before: before.title ?? '', after: after.title ?? '' });
  }
  if (canonicalJson(before.outputSchema ?? null) !== canonicalJson(after.outputSchema ?? null)) {
    out.push({
      field: 'outputSchema',
      summary: 'Output schema changed.',
      before: short(canonicalJson(before.outputSchema ?? null), 2000),
      after: short(canonicalJson(after.outputSchema ?? null), 2000),
    });
  }
  if (canonicalJson(before.annotations ?? null) !== canonicalJson(after.annotations ?? null)) {
    const b = (before.annotations ?? {}) as Record<string, unknown>;
    const a = (after.annotations ?? {}) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => canonicalJson(b[k] ?? null) !== canonicalJson(a[k] ?? null));
    out.push({
      field: 'annotations',
      summary: `Annotations changed: ${keys.map((k) => `${k} ${JSON.stringify(b[k])} → ${JSON.stringify(a[k])}`).join(', ')}.`,
      before: canonicalJson(before.annotations ?? null),
      after: canonicalJson(after.annotations ?? null),
    });
  }
  return out;
}

export interface PinCheck {
  status: PinStatus;
  changes: PinChange[];
  /** The pin to store (first sight, a newly seen change, or unchanged). */
  next?: Pin;
  /** Whether `next` differs from what was stored. */
  dirty: boolean;
}

/**
 * Checks a listed (or called) definition against the stored pin. First sight pins it; a new tool on a
 * server already known is marked new; a different definition becomes the pin's pending change.
 */
export function checkPin(stored: Pin | undefined, tool: ToolDefinitionLike, opts: { now: string; serverKnown: boolean; record: boolean }): PinCheck {
  const hash = hashTool(tool);
  if (!stored) {
    if (!opts.record) return { status: 'unknown', changes: [], dirty: false };
    const next: Pin = { hash, definition: pinnedDefinition(tool), firstSeen: opts.now, isNew: opts.serverKnown };
    return { status: opts.serverKnown ? 'new' : 'pinned', changes: [], next, dirty: true };
  }
  if (stored.hash === hash) {
    if (stored.pending && opts.record) {
      // The server went back to the pinned definition: nothing waits to be accepted any more.
      const { pending: _p, ...rest } = stored;
      return { status: stored.isNew ? 'new' : 'pinned', changes: [], next: rest, dirty: true };
    }
    return { status: stored.isNew ? 'new' : 'pinned', changes: [], next: stored, dirty: false };
  }
  const def = pinnedDefinition(tool);
  const changes = diffDefinitions(stored.definition, def);
  if (!opts.record || stored.pending?.hash === hash) return { status: 'changed', changes, next: stored, dirty: false };
  return { status: 'changed', changes, next: { ...stored, pending: { hash, definition: def, seenAt: opts.now } }, dirty: true };
}

/** The pin after a person accepted the pending definition. */
export function acceptPending(pin: Pin, now: string): Pin {
  if (!pin.pending) return { ...pin, isNew: false, acceptedAt: now };
  return { hash: pin.pending.hash, definition: pin.pending.definition, firstSeen: pin.firstSeen, acceptedAt: now, isNew: false };
}
