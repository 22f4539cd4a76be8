// Which entries of a server's tools/list answer can be judged at all. A server is not trusted to send
// well-formed entries: one without a name cannot be pinned, decided or called, so it is not shown.
import type { Tool } from './sdk.js';

export function isNamedTool(value: unknown): value is Tool {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string';
}
