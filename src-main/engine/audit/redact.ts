// Secret redaction for opt-in payload capture: by key name (password, token, api key, ...) and by
// value shape (bearer strings, JWTs, cloud and forge tokens, private keys, URL credentials, long
// random strings). Pure. Applied before anything captured is written.

export const REDACTED = '[REDACTED]';

/** Key fragments that mark a value as secret wherever they appear in the (normalised) key. */
const SECRET_KEY_PARTS = [
  'password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'accesskey', 'privatekey',
  'authorization', 'credential', 'cookie', 'bearer', 'sessionid', 'clientsecret', 'signature',
];
/** Keys that are secret only when they are the whole (normalised) key. */
const SECRET_KEYS_EXACT = new Set(['auth', 'pwd', 'pin', 'otp', 'key', 'sig', 'session', 'pass', 'xapikey']);

export function isSecretKey(key: string): boolean {
  const normal = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_KEYS_EXACT.has(normal)) return true;
  // DB_PASS, PGPASS, MYSQL_PWD, ADMIN_PW: a password by its ending.
  if (/(pass|pwd|pw)$/.test(normal)) return true;
  return SECRET_KEY_PARTS.some((part) => normal.includes(part));
}

/** `{ arg: "api_key", value: "..." }`, `{ name: "password", value: "..." }`: a value named by its sibling (a rule's constraint, a header pair). */
function namedBySibling(object: Record<string, unknown>): boolean {
  for (const label of ['arg', 'name', 'key', 'header']) {
    const name = object[label];
    if (typeof name === 'string' && isSecretKey(name)) return true;
  }
  return false;
}

interface Shape {
  pattern: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

const SHAPES: Shape[] = [
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, replace: REDACTED },
  { pattern: /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi, replace: (_m, scheme: string) => `${scheme} ${REDACTED}` },
  { pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, replace: REDACTED },
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: REDACTED },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, replace: REDACTED },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, replace: REDACTED },
  { pattern: /\bglpat-[A-Za-z0-9_-]{16,}\b/g, replace: REDACTED },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, replace: REDACTED },
  { pattern: /\b(?:sk|pk|rk)[-_](?:live[-_]|test[-_]|ant[-_]|proj[-_])?[A-Za-z0-9_-]{16,}\b/g, replace: REDACTED },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g, replace: REDACTED },
  { pattern: /\bnpm_[A-Za-z0-9]{30,}\b/g, replace: REDACTED },
  // scheme://user:password@host (up to the last @ before the host: a password may hold an @)
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:)[^\s/]*@/gi, replace: (_m, head: string) => `${head}${REDACTED}@` },
  // ?key=..., &sig=..., &X-Amz-Signature=...: a URL query parameter named as a secret
  {
    pattern: /([?&;])([A-Za-z0-9_.-]+)=([^&#\s"']*)/g,
    replace: (match, lead: string, name: string) => (isSecretKey(name) ? `${lead}${name}=${REDACTED}` : match),
  },
  // password=..., api_key: "...", token='...' inside free text
  {
    pattern: /\b([A-Za-z0-9_.-]*(?:password|passwd|pass|pwd|secret|token|api[_-]?key|access[_-]?key|auth|cookie)[A-Za-z0-9_.-]*)(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;"'}]+)/gi,
    replace: (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`,
  },
];

/** Long random-looking strings (mixed case and digits, 32+ chars) are treated as secrets. */
const RANDOM_RUN = /[A-Za-z0-9+/_-]{32,}={0,2}/g;

function looksRandom(run: string): boolean {
  return /[a-z]/.test(run) && /[A-Z]/.test(run) && /[0-9]/.test(run);
}

/** Redacts every secret-shaped part of one string. */
export function redactText(text: string): string {
  let out = text;
  for (const shape of SHAPES) {
    out = out.replace(shape.pattern, shape.replace as (substring: string, ...args: string[]) => string);
  }
  return out.replace(RANDOM_RUN, (run) => (looksRandom(run) ? REDACTED : run));
}

/**
 * `["--token", "abc"]`: a command-line flag naming a secret, whose value is the next argument. Not
 * `--token-file` and the like, whose value is where the secret is, not the secret.
 */
function isSecretFlag(item: unknown): boolean {
  if (typeof item !== 'string') return false;
  const flag = /^--?([A-Za-z][A-Za-z0-9_-]*)$/.exec(item);
  return !!flag && isSecretKey(flag[1]!) && !/(file|path|dir|env)$/i.test(flag[1]!);
}

/** A deep copy of `value` with secrets replaced by `[REDACTED]`. Never mutates its input. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 64) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    return value.map((item, i) => (i > 0 && isSecretFlag(value[i - 1]) && typeof item === 'string' ? REDACTED : redactSecrets(item, depth + 1)));
  }
  const out: Record<string, unknown> = {};
  const sibling = namedBySibling(value as Record<string, unknown>);
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if ((isSecretKey(key) || (sibling && key === 'value')) && item !== null && item !== undefined && typeof item !== 'boolean') {
      out[key] = REDACTED;
    } else {
      out[key] = redactSecrets(item, depth + 1);
    }
  }
  return out;
}
