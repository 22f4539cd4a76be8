// Reads a client's MCP config text into its server maps and entries. Pure: text in, structure out.
// A file that is not the client's format is refused with the line and column of the first problem,
// so that nothing is ever written over a file Warden did not fully understand.
import { findNodeAtLocation, parseTree, type JSONPath, type Node, type ParseError } from 'jsonc-parser';
import { describeSyntaxError } from '../json-syntax.js';
import { normalize, sep } from 'node:path';
import type { ClientRow } from './catalog.js';
import { ClientsError } from './errors.js';

export interface RawEntry {
  name: string;
  /** JSON path of the entry's object, e.g. ['mcpServers', 'github']. */
  path: JSONPath;
  node: Node;
  value: unknown;
  /**
   * The project folder the client starts this entry's server in (a project-scope file's project, a
   * Claude Code project's map); undefined for user-scope entries.
   */
  projectDir?: string;
}

export interface ServerMap {
  path: JSONPath;
  entries: RawEntry[];
}

export interface ClientDocument {
  text: string;
  root: Node;
  maps: ServerMap[];
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

function malformed(filePath: string, text: string, offset: number, what: string): ClientsError {
  const { line, column } = lineAndColumn(text, offset);
  return new ClientsError(
    'client_file_malformed',
    `${filePath} is not valid (line ${line}, column ${column}: ${what}). Warden did not change it; fix the file in the client or by hand, then try again.`,
    { path: filePath, line, column },
  );
}

export function parseClientDocument(row: ClientRow, text: string, filePath: string): ClientDocument {
  const errors: ParseError[] = [];
  const jsonc = row.format === 'jsonc';
  // A byte-order mark (Windows editors write one) is kept in the file; parsing sees a space of the same length.
  const parsed = text.startsWith('\uFEFF') ? ' ' + text.slice(1) : text;
  const root = parseTree(parsed, errors, { disallowComments: !jsonc, allowTrailingComma: jsonc, allowEmptyContent: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    throw malformed(filePath, text, first.offset, describeSyntaxError(first.error));
  }
  if (!root || root.type !== 'object') throw malformed(filePath, text, root?.offset ?? 0, 'the file must hold one JSON object');
  if (hasDuplicateKeys(root)) throw malformed(filePath, text, duplicateKeyOffset(root) ?? 0, 'a key appears twice in one object');

  const paths: { path: JSONPath; projectDir?: string }[] = [{ path: [row.serversKey], projectDir: projectDirOf(row, filePath) }];
  if (row.nestedServerMaps) paths.push(...row.nestedServerMaps(nodeValue(root)));
  const maps: ServerMap[] = [];
  for (const { path, projectDir } of paths) {
    const node = findNodeAtLocation(root, path);
    if (!node) continue;
    if (node.type !== 'object') throw malformed(filePath, text, node.offset, `"${path.join('.')}" must be an object of server name to entry`);
    const entries: RawEntry[] = [];
    for (const prop of node.children ?? []) {
      const [keyNode, valueNode] = prop.children ?? [];
      if (!keyNode || !valueNode) continue;
      const name = String(keyNode.value);
      if (valueNode.type !== 'object') throw malformed(filePath, text, valueNode.offset, `server "${name}" must be an object`);
      entries.push({ name, path: [...path, name], node: valueNode, value: nodeValue(valueNode), ...(projectDir ? { projectDir } : {}) });
    }
    maps.push({ path, entries });
  }
  return { text, root, maps };
}

/** The project folder of a project-scope file (`<project>/.cursor/mcp.json` gives `<project>`). */
function projectDirOf(row: ClientRow, filePath: string): string | undefined {
  const file = normalize(filePath);
  for (const relative of row.project) {
    const suffix = sep + normalize(relative);
    if (file.endsWith(suffix)) return file.slice(0, -suffix.length) || sep;
  }
  return undefined;
}

/** The plain value of a node (jsonc-parser's getNodeValue, without importing it twice). */
export function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (k && v) out[String(k.value)] = nodeValue(v);
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

function duplicateKeyOffset(node: Node): number | undefined {
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const key = prop.children?.[0];
      if (key) {
        if (seen.has(String(key.value))) return key.offset;
        seen.add(String(key.value));
      }
    }
  }
  for (const child of node.children ?? []) {
    const found = duplicateKeyOffset(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

function hasDuplicateKeys(node: Node): boolean {
  return duplicateKeyOffset(node) !== undefined;
}
