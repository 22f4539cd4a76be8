// Mounts the web bridge on a running engine's HTTP server: /ui, /api/events, and session authentication
// for the browser's /api calls. Returns the launch URL `warden serve` prints, or undefined when the UI
// is not built.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { events, type EventName } from '../../../shared/api/index.js';
import type { Engine } from '../engine.js';
import { REDEEM_PATH } from '../../../shared/web-session.js';
import { createWebBridge, type WebBridge } from './bridge.js';
import { defaultRendererDir } from './static.js';

export interface MountedUi {
  bridge: WebBridge;
  launchUrl(): string;
}

export function mountWebUi(engine: Engine, rendererDir = defaultRendererDir(), timing: { heartbeatMs?: number; now?: () => number } = {}): MountedUi | undefined {
  if (!existsSync(join(rendererDir, 'index.html'))) return undefined;
  const bridge = createWebBridge({
    port: () => engine.http.port,
    rendererDir,
    ...timing,
    subscribe: (listener) => {
      const offs = (Object.keys(events) as EventName[]).map((name) => engine.on(name, (payload: unknown) => listener(name, payload)));
      return () => offs.forEach((off) => off());
    },
  });
  engine.http.route('/ui', (req, res, url) => bridge.ui(req, res, url));
  engine.http.route('/api/events', (req, res) => bridge.events(req, res));
  engine.http.route(REDEEM_PATH, (req, res) => bridge.redeem(req, res));
  engine.http.authenticateApiWith((req) => (bridge.authenticates(req) ? { kind: 'admin' } : null));
  engine.uiLink = () => bridge.launchUrl();
  return { bridge, launchUrl: () => bridge.launchUrl() };
}
