// Finds every secret string literal in a client's config (by its key's name or by its value), so that
// the backup and the preview can leave them out. Pure. The whole file is scanned, not only the server
// entries: ~/.claude.json, for one, can hold an API key of its own.
import { getNodePath, type JSONPath, type Node } from 'jsonc-parser';
import { credentialArgs, secretReason } from '../secrets/detect.js';

export interface SecretLiteral {
  /** Offset and length of the literal in the text, quotes included. */
  offset: number;
  length: number;
  path: JSONPath;
}

export function findSecretLiterals(root: Node): SecretLiteral[] {
  const out: SecretLiteral[] = [];
  const visit = (node: Node): void => {
    if (node.type === 'object') {
      for (const prop of node.children ?? []) {
        const [key, value] = prop.children ?? [];
        if (!key || !value) continue;
        if (value.type === 'string' && secretReason(String(key.value), String(value.value)) !== undefined) {
          out.push({ offset: value.offset, length: value.length, path: getNodePath(value) });
        } else {
          visit(value);
        }
      }
    } else if (node.type === 'array') {
      const items = node.children ?? [];
      const strings = items.map((n) => (n.type === 'string' ? String(n.value) : ''));
      const flagged = new Set(credentialArgs(strings));
      items.forEach((item, i) => {
        if (item.type === 'string' && flagged.has(i)) out.push({ offset: item.offset, length: item.length, path: getNodePath(item) });
        else visit(item);
      });
    } else if (node.type === 'string' && secretReason('', String(node.value)) !== undefined) {
      out.push({ offset: node.offset, length: node.length, path: getNodePath(node) });
    }
  };
  visit(root);
  return out.sort((a, b) => a.offset - b.offset);
}
