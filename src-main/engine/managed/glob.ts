// Globs in managed policy: `*` matches any run of characters, `?` one character; everything else is
// literal. Case-sensitive for names; callers lower-case both sides where case does not matter. Pure.
const cache = new Map<string, RegExp>();

export function globRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 's');
    if (cache.size > 10_000) cache.clear();
    cache.set(glob, re);
  }
  return re;
}

export const isGlob = (pattern: string) => pattern.includes('*') || pattern.includes('?');

export function globMatches(glob: string, value: string): boolean {
  return isGlob(glob) ? globRegExp(glob).test(value) : glob === value;
}
