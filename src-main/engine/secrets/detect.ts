// Decides whether an env variable (or an HTTP header) holds a secret, by its name or by its value.
// Pure. Erring towards "secret" is cheap (the value moves to the OS keychain and is injected at start);
// erring the other way leaves a credential in a plain-text file, so the patterns are generous.

/** Name fragments that mark a secret. `PWD` is not one of them: it is the working directory. */
const SECRET_NAME = /(TOKEN|KEY|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH|PRIVATE|SESSION|COOKIE|^PAT$|_PAT$|PASS$|_PWD$|_PW$)/i;

/** Well-known credential shapes, by prefix or structure. */
const CREDENTIAL_VALUES: RegExp[] = [
  /^gh[pousr]_[A-Za-z0-9]{20,}$/, // GitHub tokens
  /^github_pat_[A-Za-z0-9_]{20,}$/,
  /^glpat-[A-Za-z0-9_-]{16,}$/, // GitLab
  /^sk-[A-Za-z0-9_-]{16,}$/, // OpenAI / Anthropic (sk-ant-...)
  /^xox[abposr]-[A-Za-z0-9-]{10,}$/, // Slack
  /^(AKIA|ASIA)[0-9A-Z]{16}$/, // AWS access key id
  /^AIza[0-9A-Za-z_-]{30,}$/, // Google API key
  /^npm_[A-Za-z0-9]{30,}$/,
  /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/, // JWT
  /^(Bearer|Basic|token)\s+\S{8,}$/i, // an Authorization header value
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];

/** A URL that carries a password (`scheme://user:password@host`). */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i;

export function looksLikeCredential(value: string): boolean {
  const v = value.trim();
  if (CREDENTIAL_VALUES.some((re) => re.test(v))) return true;
  if (URL_WITH_PASSWORD.test(v)) return true;
  // A long opaque string: letters and digits mixed, no spaces or path separators.
  return v.length >= 32 && /^[A-Za-z0-9_\-+=.]+$/.test(v) && /[0-9]/.test(v) && /[A-Za-z]/.test(v) && !/^\d+(\.\d+)*$/.test(v);
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Why a named value counts as a secret, or undefined when it does not. Empty values never do. */
export function secretReason(name: string, value: string): 'name' | 'value' | undefined {
  if (value.length === 0) return undefined;
  if (isSecretName(name)) return 'name';
  if (looksLikeCredential(value)) return 'value';
  return undefined;
}

/** A command-line argument that carries a credential (`--api-key=...`, a token, a URL with a password). */
export function argLooksLikeCredential(arg: string): boolean {
  const eq = arg.indexOf('=');
  if (arg.startsWith('-') && eq > 0) {
    const flag = arg.slice(0, eq).replace(/^-+/, '');
    const value = arg.slice(eq + 1);
    return secretReason(flag, value) !== undefined;
  }
  return looksLikeCredential(arg);
}

/** Indexes of the arguments that carry a credential, including the value after a flag like `--token`. */
export function credentialArgs(args: readonly string[]): number[] {
  const out: number[] = [];
  args.forEach((arg, i) => {
    const prev = i > 0 ? args[i - 1]! : '';
    const afterSecretFlag = /^--?[A-Za-z]/.test(prev) && !prev.includes('=') && isSecretName(prev.replace(/^-+/, '')) && !arg.startsWith('-') && arg.length > 0;
    if (afterSecretFlag || argLooksLikeCredential(arg)) out.push(i);
  });
  return out;
}
