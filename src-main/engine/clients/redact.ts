// Finds every secret string literal in a client's config (by its key's name or by its value), so that
// the backup and the preview can leave them out. Pure. The whole file is scanned, not only the server
// entries: ~/.claude.json, for one, can hold an API key of its own.
import { createScanner, getNodePath, SyntaxKind, type JSONPath, type Node } from 'jsonc-parser';
import { credentialArgs, looksLikeCredential, secretReason } from '../secrets/detect.js';

export interface SecretLiteral {
  /** Offset and length of the literal in the text, quotes included (a credential in a comment: the credential alone). */
  offset: number;
  length: number;
  /** Where the string value is; none for a credential in a comment. */
  path?: JSONPath;
}

/**
 * Credentials written in comments (JSONC files such as VS Code's mcp.json): an old token "kept for
 * later" is as much a secret as a value. Words of a comment that look like a credential, by shape.
 */
export function findCommentSecrets(text: string): SecretLiteral[] {
  const out: SecretLiteral[] = [];
  const scanner = createScanner(text, false);
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind !== SyntaxKind.LineCommentTrivia && kind !== SyntaxKind.BlockCommentTrivia) continue;
    const start = scanner.getTokenOffset();
    const comment = text.slice(start, start + scanner.getTokenLength());
    for (const word of comment.matchAll(/[^\s"'`,;()<>\[\]{}*]+/g)) {
      const token = word[0].replace(/^\/+/, '');
      if (looksLikeCredential(token)) out.push({ offset: start + word.index! + (word[0].length - token.length), length: token.length });
    }
  }
  return out;
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

/** Every secret of a client's file: string literals and credentials in comments, in text order. */
export function findSecrets(root: Node, text: string): SecretLiteral[] {
  return [...findSecretLiterals(root), ...findCommentSecrets(text)].sort((a, b) => a.offset - b.offset);
}
