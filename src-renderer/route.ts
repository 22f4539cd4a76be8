// Hash routing (#/approvals, #/activity/123): works the same under /ui/ and from the desktop app's file.
import { useEffect, useState } from 'react';

export const SCREENS = ['approvals', 'servers', 'activity', 'clients', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export interface Route {
  screen: Screen;
  param?: string;
}

export function parseRoute(hash: string): Route {
  const [screen, ...rest] = hash.replace(/^#\/?/, '').split('/');
  const known = (SCREENS as readonly string[]).includes(screen ?? '') ? (screen as Screen) : 'approvals';
  const param = rest.length ? decodeURIComponent(rest.join('/')) : undefined;
  return param ? { screen: known, param } : { screen: known };
}

export function navigate(screen: Screen, param?: string): void {
  window.location.hash = `#/${screen}${param ? `/${encodeURIComponent(param)}` : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
