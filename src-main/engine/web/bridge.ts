// The web bridge: the same UI as the desktop app, in a browser on this machine, for the person at it.
//
//   GET  /ui/?token=<one-time>   the page, when the launch token is still good (nothing is spent by a
//                                GET or a HEAD: link previews and prefetches cannot burn it)
//   POST /api/session            the page spends the token for a session secret (same-origin JSON)
//   GET  /ui/*                   the built renderer (nothing secret: no session needed to read it)
//   POST /api/<method>           the engine's API route; the bridge authenticates the browser there:
//                                the session header + our own Origin + a JSON body
//   GET  /api/events             Server-Sent Events carrying the contract's events (session header)
//
// No cookie, and no secret in any URL (see shared/web-session.ts). The engine's HTTP server checks Host
// and Origin for every request first; the bridge checks them again, so that it stays safe wherever it
// is mounted. Every answer of the bridge carries the UI's strict CSP.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SESSION_HEADER } from '../../../shared/web-session.js';
import { readBody } from '../gateway/body.js';
import { SECURITY_HEADERS } from './csp.js';
import { isAllowedHost, isAllowedOrigin } from './origin.js';
import { BrowserSessions } from './sessions.js';
import { defaultRendererDir, readUiFile } from './static.js';
import { openEventStream, type EventSubscribe } from './events.js';

export interface WebBridgeOptions {
  /** The port the engine listens on (known once it listens). */
  port: () => number;
  subscribe: EventSubscribe;
  rendererDir?: string;
  heartbeatMs?: number;
  /** The clock of session lifetimes (tests). */
  now?: () => number;
}

export interface WebBridge {
  /** GET /ui and /ui/*: the launch link and the built renderer. */
  ui(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** GET /api/events: the event stream. */
  events(req: IncomingMessage, res: ServerResponse): void;
  /** POST /api/session: a launch token spent for a session secret. */
  redeem(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Is this /api/<method> request a browser's with a live session, from our page, as a JSON POST? */
  authenticates(req: IncomingMessage): boolean;
  /** A fresh URL with a one-time launch token, as `warden serve` prints it. */
  launchUrl(): string;
  /** Ends every browser session and open event stream. */
  close(): void;
}

type Refusal = { status: number; code: string; message: string };

function send(res: ServerResponse, status: number, body: string, contentType: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

function refuse(res: ServerResponse, r: Refusal, asHtml: boolean): void {
  if (asHtml) {
    const text = r.message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Warden</title></head><body><h1>Warden</h1><p>${text}</p></body></html>`;
    send(res, r.status, page, 'text/html; charset=utf-8');
  } else {
    sendJson(res, r.status, { code: r.code, message: r.message });
  }
}

export function createWebBridge(options: WebBridgeOptions): WebBridge {
  const sessions = new BrowserSessions(options.now);
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const streams = new Set<ServerResponse>();

  const hostRefusal = (req: IncomingMessage): Refusal | undefined =>
    isAllowedHost(req.headers.host, options.port())
      ? undefined
      : { status: 403, code: 'forbidden_host', message: `Host ${JSON.stringify(req.headers.host ?? '')} is not this Warden engine; open the UI at 127.0.0.1 or localhost.` };

  const originRefusal = (req: IncomingMessage, required: boolean): Refusal | undefined =>
    isAllowedOrigin(req.headers.origin, options.port(), required)
      ? undefined
      : {
          status: 403,
          code: 'forbidden_origin',
          message: req.headers.origin
            ? `Requests from ${req.headers.origin} are refused: only Warden's own page may use this API.`
            : 'Requests without an Origin header are refused: only Warden\'s own page may use this API.',
        };

  const sessionOf = (req: IncomingMessage): string | undefined => {
    const id = req.headers[SESSION_HEADER];
    return typeof id === 'string' && sessions.isSession(id) ? id : undefined;
  };

  const spentLink: Refusal = { status: 401, code: 'launch_token_invalid', message: 'This link was already used or has expired. Run `warden ui` for a new one.' };

  const noSession: Refusal = {
    status: 401,
    code: 'unauthenticated',
    message: 'No Warden session: open the link that `warden serve` printed (it works once), or run `warden ui` for a new one.',
  };

  async function handleUi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return refuse(res, { status: 405, code: 'method_not_allowed', message: 'The UI is read with GET.' }, true);
    }
    const refusal = hostRefusal(req);
    if (refusal) return refuse(res, refusal, true);
    const token = url.searchParams.get('token');
    if (token !== null && !sessions.isLaunchToken(token)) return refuse(res, spentLink, true);
    const sub = url.pathname === '/ui' ? '' : url.pathname.slice('/ui/'.length);
    const file = await readUiFile(rendererDir, sub);
    if (!file) {
      const index = sub === '' || sub.endsWith('index.html');
      return refuse(
        res,
        index
          ? { status: 500, code: 'ui_not_built', message: 'The UI is not built: run `npm run build` in the Warden folder.' }
          : { status: 404, code: 'not_found', message: 'Not found.' },
        true,
      );
    }
    const immutable = sub.startsWith('assets/');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': file.contentType,
      'Cache-Control': immutable ? 'private, max-age=31536000, immutable' : 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    const refusal =
      hostRefusal(req) ??
      (req.method !== 'GET' ? { status: 405, code: 'method_not_allowed', message: 'Events are read with GET.' } : undefined) ??
      originRefusal(req, false) ??
      (sessionOf(req) ? undefined : noSession);
    if (refusal) return refuse(res, refusal, false);
    streams.add(res);
    res.on('close', () => streams.delete(res));
    const session = sessionOf(req)!;
    // An open stream is a tab in use (it keeps the session); a session that ends meanwhile ends it.
    openEventStream(res, options.subscribe, { headers: SECURITY_HEADERS, heartbeatMs: options.heartbeatMs, stillAllowed: () => sessions.isSession(session) });
  }

  async function handleRedeem(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal =
      hostRefusal(req) ??
      (req.method !== 'POST' ? { status: 405, code: 'method_not_allowed', message: 'A launch token is spent with POST.' } : undefined) ??
      originRefusal(req, true) ??
      ((req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/json'
        ? { status: 415, code: 'bad_input', message: 'Send the launch token as JSON.' }
        : undefined);
    if (refusal) return refuse(res, refusal, false);
    const body = await readBody(req, 4096);
    let token: unknown;
    try {
      token = body ? (JSON.parse(body.toString('utf8')) as { token?: unknown }).token : undefined;
    } catch {
      token = undefined;
    }
    const session = typeof token === 'string' ? sessions.redeem(token) : undefined;
    if (!session) return refuse(res, spentLink, false);
    sendJson(res, 200, { session });
  }

  function authenticates(req: IncomingMessage): boolean {
    // The secret itself is what a foreign page lacks; our own Origin is demanded as well (browsers
    // always send it on POST), and a JSON content type (no HTML form can send one, and a script on
    // another site would need a CORS preflight, for it and for the header, that this server never grants).
    if (hostRefusal(req) || originRefusal(req, true) || !sessionOf(req)) return false;
    if (req.method !== 'POST') return false;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    return type === 'application/json';
  }

  return {
    ui: handleUi,
    events: handleEvents,
    redeem: handleRedeem,
    authenticates,
    launchUrl() {
      return `http://127.0.0.1:${options.port()}/ui/?token=${sessions.issueLaunchToken()}`;
    },
    close() {
      sessions.endAll();
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
