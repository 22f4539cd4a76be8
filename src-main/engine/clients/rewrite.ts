// Turns a client's config text into the same text with some entries going through Warden, with
// jsonc-parser's modify/applyEdits: only the changed keys are touched, so every other key, the
// indentation, the line endings and the comments stay as the client (or the person) wrote them. Pure.
import { applyEdits, modify, type FormattingOptions, type JSONPath } from 'jsonc-parser';

export interface EntryRewrite {
  /** JSON path of the entry object. */
  path: JSONPath;
  /** Keys of the entry to remove (its old transport keys that the new entry does not set). */
  remove: string[];
  /** Keys to set, in order. */
  set: Record<string, unknown>;
}

/** The file's own style: indentation unit and line ending, so that inserted lines look like the rest. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = text.split(/\r?\n/).find((line) => /^[ \t]+\S/.test(line));
  if (indented?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  const width = indented ? indented.length - indented.trimStart().length : 2;
  return { insertSpaces: true, tabSize: Math.max(1, Math.min(width, 8)), eol };
}

const BOM = '\uFEFF';

/** Runs edits on the text without its byte-order mark (jsonc-parser does not read one) and puts it back. */
function keepingBom(text: string, edit: (text: string) => string): string {
  return text.startsWith(BOM) ? BOM + edit(text.slice(1)) : edit(text);
}

export function applyRewrites(text: string, rewrites: readonly EntryRewrite[]): string {
  return keepingBom(text, (t) => applyRewritesNoBom(t, rewrites));
}

function applyRewritesNoBom(text: string, rewrites: readonly EntryRewrite[]): string {
  const formattingOptions = detectFormatting(text);
  let out = text;
  for (const rewrite of rewrites) {
    for (const key of rewrite.remove) {
      out = applyEdits(out, modify(out, [...rewrite.path, key], undefined, { formattingOptions }));
    }
    for (const [key, value] of Object.entries(rewrite.set)) {
      out = applyEdits(out, modify(out, [...rewrite.path, key], value, { formattingOptions }));
    }
  }
  return out;
}

/** Replaces whole entries (used to put original entries back when the file changed since protect). */
export function replaceValues(text: string, values: readonly { path: JSONPath; value: unknown }[]): string {
  return keepingBom(text, (t) => {
    const formattingOptions = detectFormatting(t);
    let out = t;
    for (const { path, value } of values) out = applyEdits(out, modify(out, path, value, { formattingOptions }));
    return out;
  });
}
