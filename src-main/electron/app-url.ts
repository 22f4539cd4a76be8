// The desktop window's own origin, `warden://ui/`: which URLs are ours, and which file one names.
// The renderer is served from a custom privileged scheme instead of file:// (Electron's security
// guidance), so the file protocol's extra privileges can be switched off by a fuse. Pure.
import { resolve, sep } from 'node:path';

export const APP_SCHEME = 'warden';
export const APP_HOST = 'ui';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Our page (any route inside it): the only page that may call the engine or be navigated to. */
export function isOwnPage(url: string): boolean {
  const parsed = parse(url);
  return !!parsed && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.pathname === '/index.html';
}

/** Navigation inside the page (hash routes) is fine; anything that leaves it is refused. */
export function isAllowedNavigation(target: string): boolean {
  return isOwnPage(target);
}

/** The file under `rendererDir` that a `warden://ui/...` URL names, or undefined (foreign, or escaping). */
export function fileForAppUrl(url: string, rendererDir: string): string | undefined {
  const parsed = parse(url);
  if (!parsed || parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const root = resolve(rendererDir);
  const file = resolve(root, '.' + (path === '/' ? '/index.html' : path));
  return file.startsWith(root + sep) ? file : undefined;
}
