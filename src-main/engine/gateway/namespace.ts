// Tool names on the aggregated endpoint /mcp: `<server>__<tool>`. The format is a contract (clients
// store these names in their settings and rules), so it lives here and nowhere else. Pure.

export const NAMESPACE_SEPARATOR = '__';

/** The name a client sees on /mcp for `tool` of `server`. */
export function namespacedName(server: string, tool: string): string {
  return `${server}${NAMESPACE_SEPARATOR}${tool}`;
}

/**
 * The server and tool a namespaced name stands for. Server names may contain `_` (even `__`), so the
 * longest configured server name followed by `__` wins; the rest, unchanged, is the tool's own name.
 * Undefined when no configured server matches or the tool part is empty.
 */
export function splitNamespacedName(name: string, servers: Iterable<string>): { server: string; tool: string } | undefined {
  let best: string | undefined;
  for (const server of servers) {
    const prefix = server + NAMESPACE_SEPARATOR;
    if (name.length > prefix.length && name.startsWith(prefix) && (best === undefined || server.length > best.length)) best = server;
  }
  return best === undefined ? undefined : { server: best, tool: name.slice(best.length + NAMESPACE_SEPARATOR.length) };
}
