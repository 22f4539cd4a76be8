// What the model reads of a tool flagged for poisoning: its name and the shape of its input, not its
// prose. Calls to it still ask the person (high risk); without this, the flagged text itself (an
// instruction to read ~/.ssh, say) would reach the model in tools/list and could steer it towards
// other tools that are allowed. The person sees the whole definition in Servers & tools. Pure.
import type { Flag } from '../../../shared/policy.js';

type Listed = { name: string; description?: string; title?: string; inputSchema?: unknown; outputSchema?: unknown; annotations?: unknown; [key: string]: unknown };

/** A copy of a JSON Schema without its prose (description, title, examples), where text can hide. */
function shapeOnly(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(shapeOnly);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key === 'title' || key === 'examples' || key === '$comment') continue;
    out[key] = shapeOnly(value);
  }
  return out;
}

export function withheld<T extends Listed>(tool: T, flags: Flag[]): T {
  const kinds = [...new Set(flags.map((f) => f.kind))].join(', ');
  const { title: _title, annotations, ...rest } = tool;
  const titled = annotations && typeof annotations === 'object' ? { ...(annotations as Record<string, unknown>) } : undefined;
  if (titled) delete titled.title;
  return {
    ...rest,
    description: `Warden withheld this tool's description: it looks like tool poisoning (${kinds}). Calls to it need the person's approval; they can read it in Warden (Servers & tools).`,
    ...(tool.inputSchema !== undefined ? { inputSchema: shapeOnly(tool.inputSchema) } : {}),
    ...(tool.outputSchema !== undefined ? { outputSchema: shapeOnly(tool.outputSchema) } : {}),
    ...(titled ? { annotations: titled } : {}),
  } as T;
}
