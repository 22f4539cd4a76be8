// Turns a client's config text into the same text with some entries going through Warden, with
// jsonc-parser's modify/applyEdits: only the changed keys are touched, so every other key, the
// indentation, the line endings and the comments stay as the client (or the person) wrote them. Pure.
//
// Each entry is edited on its own text (with its line's indentation in front, which is all the
// formatter looks at) and spliced back: the cost follows the entries, not the size of the file
// (~/.claude.json can hold megabytes of history).
import { applyEdits, findNodeAtLocation, modify, parseTree, type FormattingOptions, type JSONPath } from 'jsonc-parser';

export interface EntryRewrite {
  /** JSON path of the entry object. */
  path: JSONPath;
  /** Keys of the entry to remove (its old transport keys that the new entry does not set). */
  remove: string[];
  /** Keys to set, in order. */
  set: Record<string, unknown>;
}

/** One replaced range of the original text. */
export interface Splice {
  start: number;
  end: number;
  text: string;
}

const BOM = '\uFEFF';

/** The file's own style: indentation unit and line ending, so that inserted lines look like the rest. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = text.split(/\r?\n/, 200).find((line) => /^[ \t]+\S/.test(line));
  if (indented?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  const width = indented ? indented.length - indented.trimStart().length : 2;
  return { insertSpaces: true, tabSize: Math.max(1, Math.min(width, 8)), eol };
}

function editObject(text: string, rewrite: Pick<EntryRewrite, 'remove' | 'set'>, formattingOptions: FormattingOptions, base: JSONPath = []): string {
  let out = text;
  for (const key of rewrite.remove) out = applyEdits(out, modify(out, [...base, key], undefined, { formattingOptions }));
  for (const [key, value] of Object.entries(rewrite.set)) out = applyEdits(out, modify(out, [...base, key], value, { formattingOptions }));
  return out;
}

/** The splices that turn `text` into the rewritten text, one per entry, in file order. */
export function rewriteSplices(text: string, rewrites: readonly EntryRewrite[]): Splice[] {
  const parsed = text.startsWith(BOM) ? ' ' + text.slice(1) : text;
  const root = parseTree(parsed);
  if (!root) return [];
  const formattingOptions = detectFormatting(text);
  const splices: Splice[] = [];
  for (const rewrite of rewrites) {
    const node = findNodeAtLocation(root, rewrite.path);
    if (!node || node.type !== 'object') continue;
    const lineStart = text.lastIndexOf('\n', node.offset - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart, node.offset))![0];
    const own = indent + text.slice(node.offset, node.offset + node.length);
    const edited = editObject(own, rewrite, formattingOptions);
    if (edited.startsWith(indent)) {
      splices.push({ start: node.offset, end: node.offset + node.length, text: edited.slice(indent.length) });
    } else {
      // The formatter touched the first line: edit in place in the whole document instead.
      const whole = editObject(parsed, rewrite, formattingOptions, rewrite.path);
      const after = findNodeAtLocation(parseTree(whole)!, rewrite.path)!;
      splices.push({ start: node.offset, end: node.offset + node.length, text: whole.slice(after.offset, after.offset + after.length) });
    }
  }
  return splices.sort((a, b) => a.start - b.start);
}

export function applySplices(text: string, splices: readonly Splice[]): string {
  let out = '';
  let at = 0;
  for (const s of splices) {
    out += text.slice(at, s.start) + s.text;
    at = s.end;
  }
  return out + text.slice(at);
}

export function applyRewrites(text: string, rewrites: readonly EntryRewrite[]): string {
  return applySplices(text, rewriteSplices(text, rewrites));
}
