// Offline scan of a tool's definition for tool poisoning: hidden instructions to the model, requests
// to read secrets, instructions about other tools (shadowing), invisible or direction-changing
// unicode, encoded blobs and exfiltration hints. Pure. Tuned so that the reference servers'
// tools (everything, filesystem, memory) are not flagged.
import type { Flag, FlagKind } from '../../../shared/policy.js';

export interface ScanContext {
  /** Names of the other tools of the same server (mentioning them is normal: "use read_text_file instead"). */
  siblings?: Iterable<string>;
  /** Names of tools of other servers: a description that names them is shadowing. */
  foreign?: Iterable<string>;
}

interface Pattern {
  kind: FlagKind;
  re: RegExp;
  message: string;
}

const PATTERNS: Pattern[] = [
  { kind: 'hidden-instruction', re: /<\s*\/?\s*(important|system|instructions?|secret|hidden|admin|assistant|prompt|context)\b[^>]*>/i, message: 'A tag that addresses the model directly' },
  { kind: 'hidden-instruction', re: /\b(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+)?(previous|prior|above|earlier|other|preceding|system)\s+(instructions?|prompts?|rules?|messages?|directions?)/i, message: 'Asks the model to ignore its instructions' },
  { kind: 'hidden-instruction', re: /\b(do\s+not|don'?t|never|must\s+not)\s+(tell|inform|mention|reveal|show|notify|alert|disclose)\b[^.]{0,40}\b(user|human|person|anyone)/i, message: 'Asks the model to keep something from the user' },
  { kind: 'hidden-instruction', re: /\bwithout\s+(telling|informing|notifying|alerting|asking)\s+the\s+(user|human)/i, message: 'Asks the model to act behind the user\'s back' },
  { kind: 'hidden-instruction', re: /\b(the\s+user\s+(must|should)\s+not\s+(know|see|be told))|(this\s+is\s+(very\s+)?important[.!:]?\s+you\s+must)/i, message: 'Hidden instruction to the model' },
  { kind: 'hidden-instruction', re: /\b(you\s+are\s+now|act\s+as\s+(an?\s+)?(admin|system|root)|new\s+instructions?\s*:)/i, message: 'Tries to change the model\'s role' },
  { kind: 'secret-request', re: /(~|\$HOME|%USERPROFILE%|\/home\/[^/\s]+|\/Users\/[^/\s]+)?\/\.(ssh|aws|gnupg|kube|docker|netrc|npmrc|pypirc|git-credentials|config\/gh|cursor|claude)\b/i, message: 'Mentions a secrets or configuration folder' },
  { kind: 'secret-request', re: /\b(id_rsa|id_ed25519|id_ecdsa|authorized_keys|known_hosts|credentials\.json|mcp\.json|claude_desktop_config\.json)\b|(?<![\w.])\.env(\.[a-z]+)?\b/i, message: 'Mentions a secrets file' },
  { kind: 'secret-request', re: /\b(read|pass|send|attach|copy|append|extract|collect|upload|exfiltrate|leak)\b[^.]{0,60}\b(api[\s_-]?keys?|access[\s_-]?tokens?|secret[\s_-]?keys?|private[\s_-]?keys?|passwords?|credentials|session\s+cookies?|(bearer|auth|oauth|github|slack)\s+tokens?|seed\s+phrases?)\b/i, message: 'Asks for secrets to be read or passed along' },
  { kind: 'exfiltration', re: /\b(send|post|upload|forward|transmit|exfiltrate|leak|report)\b[^.]{0,60}\b(to|at)\s+(https?:\/\/|[a-z0-9-]+\.(com|net|org|io|xyz|ru|cn)\b|[\w.+-]+@[\w-]+\.)/i, message: 'Asks for data to be sent to an outside address' },
  { kind: 'exfiltration', re: /\b(pass|put|include|store|place|add)\b[^.]{0,40}\b(content|contents|file|output|result|data)\b[^.]{0,40}\bas\s+(a\s+|the\s+)?(['"`]\w+['"`]|\w+\s+(parameter|argument|field))/i, message: 'Asks for content to be smuggled into an argument' },
  { kind: 'shadowing', re: /\b(before|after|instead\s+of|when(ever)?|while)\s+(using|calling|invoking|running)\s+(any|all|every|other|another|the\s+other)\s+(other\s+)?tools?\b/i, message: 'Gives instructions about other tools' },
  { kind: 'shadowing', re: /\b(all|any|every)\s+other\s+tools?\b[^.]{0,60}\b(must|should|need\s+to|have\s+to)\b/i, message: 'Gives instructions about other tools' },
  { kind: 'shadowing', re: /\b(this|the)\s+tool\s+(must|should)\s+(always\s+)?be\s+(called|used|run|invoked)\s+(first|before)\b/i, message: 'Demands to be called before other tools' },
  { kind: 'shadowing', re: /\b(other|another)\s+(server|mcp\s+server)'?s?\s+tools?\b/i, message: 'Gives instructions about another server\'s tools' },
];

// Zero-width, bidi controls, tag characters, word joiners, BOM inside text, variation selectors on ASCII.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u206A-\u206F\uFEFF\u00AD\u180E]|[\u{E0000}-\u{E007F}]/u;
const BLOB_CANDIDATE = /[A-Za-z0-9+/_=-]{48,}/g;
const HEX_BLOB = /\b[0-9a-fA-F]{64,}\b/;
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi;

/** A long run of base64/base64url that is not a URL or a path: mixed case and digits, many distinct characters. */
function findBlob(text: string): { index: number; length: number } | undefined {
  const hex = HEX_BLOB.exec(text);
  if (hex) return { index: hex.index, length: hex[0].length };
  const masked = text.replace(URL_LIKE, (u) => ' '.repeat(u.length));
  for (const m of masked.matchAll(BLOB_CANDIDATE)) {
    const run = m[0];
    if (!/[A-Z]/.test(run) || !/[a-z]/.test(run) || !/[0-9]/.test(run)) continue;
    if ((run.match(/\//g)?.length ?? 0) > run.length / 16) continue; // a path, not a blob
    if (new Set(run).size < 20) continue;
    return { index: m.index!, length: run.length };
  }
  return undefined;
}

function excerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 20);
  const end = Math.min(text.length, index + length + 20);
  const body = text.slice(start, end).replace(/\s+/g, ' ');
  return (start > 0 ? '…' : '') + visible(body) + (end < text.length ? '…' : '');
}

/** Shows invisible characters as \u{...} so a person can see them. */
export function visible(text: string): string {
  return text.replace(new RegExp(INVISIBLE.source, 'gu'), (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/** The texts of a definition a model reads: the description and every description/title inside the input schema. */
export function definitionTexts(tool: { name: string; description?: string; inputSchema?: unknown; outputSchema?: unknown; title?: string; annotations?: unknown }): string[] {
  const out: string[] = [tool.name];
  if (tool.title) out.push(tool.title);
  if (tool.description) out.push(tool.description);
  const a = tool.annotations as { title?: unknown } | undefined;
  if (a && typeof a.title === 'string') out.push(a.title);
  const walk = (node: unknown, depth: number) => {
    // Deep enough for any real schema (each nested property is two levels), bounded against a hostile one.
    if (depth > 64 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const x of node) walk(x, depth + 1);
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'description' || k === 'title' || k === 'default' || k === 'examples' || k === 'const') && typeof v === 'string') out.push(v);
      else if (k === 'enum' && Array.isArray(v)) for (const e of v) if (typeof e === 'string') out.push(e);
      if (k === 'properties' && v && typeof v === 'object') for (const p of Object.keys(v)) out.push(p);
      walk(v, depth + 1);
    }
  };
  walk(tool.inputSchema, 0);
  walk(tool.outputSchema, 0);
  return out;
}

export function scanTool(
  tool: { name: string; description?: string; inputSchema?: unknown; outputSchema?: unknown; title?: string; annotations?: unknown },
  ctx: ScanContext = {},
): Flag[] {
  const flags: Flag[] = [];
  const seen = new Set<string>();
  const add = (kind: FlagKind, message: string, text: string, index: number, length: number) => {
    const key = `${kind}:${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    flags.push({ kind, message, excerpt: excerpt(text, index, length) });
  };
  const texts = definitionTexts(tool);
  for (const text of texts) {
    const inv = INVISIBLE.exec(text);
    if (inv) add('invisible-unicode', 'Invisible or direction-changing characters in the text', text, inv.index, inv[0].length);
    for (const p of PATTERNS) {
      const m = p.re.exec(text);
      if (m) add(p.kind, p.message, text, m.index, m[0].length);
    }
    const b = findBlob(text);
    if (b) add('encoded-blob', 'A long encoded blob in the text', text, b.index, Math.min(b.length, 40));
  }
  const foreign = new Set(ctx.foreign ?? []);
  const siblings = new Set(ctx.siblings ?? []);
  siblings.add(tool.name);
  if (foreign.size && tool.description) {
    for (const name of foreign) {
      // Only distinctive names (search_files, send-email), never plain words a description uses anyway.
      if (siblings.has(name) || name.length < 6 || !/[_\-.]|[a-z][A-Z]/.test(name)) continue;
      const i = tool.description.indexOf(name);
      if (i >= 0) {
        add('shadowing', `Names \`${name}\`, a tool of another server`, tool.description, i, name.length);
        break;
      }
    }
  }
  return flags;
}
