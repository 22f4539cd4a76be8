// The web bridge: the same UI as the desktop app, in a browser on this machine, for the person at it.
//
//   GET  /ui/?token=<one-time>   spends the launch token, sets an HttpOnly SameSite=Strict session cookie,
//                                and redirects to /ui/ (so the token does not stay in the address bar)
//   GET  /ui/*                   the built renderer (session cookie required)
//   POST /api/<method>           one method of the contract (cookie + same Origin + JSON body required)
//   GET  /api/events             Server-Sent Events carrying the contract's events (cookie required)
//
// Requests to /api/ that carry an Authorization header are not the browser's: they are left to the
// engine's own API route (the CLI's admin token). Every answer carries the UI's strict CSP.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readCookie, sessionCookie, sessionCookieName } from './cookie.js';
import { SECURITY_HEADERS } from './csp.js';
import { isAllowedHost, isAllowedOrigin } from './origin.js';
import { BrowserSessions } from './sessions.js';
import { defaultRendererDir, readUiFile } from './static.js';
import { openEventStream, type EventSubscribe } from './events.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** Runs one method of the contract (the engine's API router): its result, or an HTTP status and { code, message }. */
export type ApiDispatch = (
  method: string,
  input: unknown,
) => Promise<{ ok: true; result: unknown } | { ok: false; status: number; error: { code: string; message: string } }>;

export interface WebBridgeOptions {
  /** The port the engine listens on (known once it listens). */
  port: () => number;
  dispatch: ApiDispatch;
  subscribe: EventSubscribe;
  rendererDir?: string;
  heartbeatMs?: number;
}

export interface WebBridge {
  /** Handles the request when it is the bridge's; false when it belongs to another route. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
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
    const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Warden</title></head><body><h1>Warden</h1><p>${r.message}</p></body></html>`;
    send(res, r.status, page, 'text/html; charset=utf-8');
  } else {
    sendJson(res, r.status, { code: r.code, message: r.message });
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createWebBridge(options: WebBridgeOptions): WebBridge {
  const sessions = new BrowserSessions();
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
    const id = readCookie(req.headers.cookie, sessionCookieName(options.port()));
    return sessions.isSession(id) ? id : undefined;
  };

  const noSession: Refusal = {
    status: 401,
    code: 'unauthenticated',
    message: 'No Warden session: open the link that `warden serve` printed (it works once), or run `warden serve` again for a new one.',
  };

  async function handleUi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return refuse(res, { status: 405, code: 'method_not_allowed', message: 'The UI is read with GET.' }, true);
    }
    const refusal = hostRefusal(req);
    if (refusal) return refuse(res, refusal, true);
    const token = url.searchParams.get('token');
    if (token !== null) {
      const session = sessions.redeem(token);
      if (!session) {
        if (sessionOf(req)) return send(res, 303, '', 'text/plain', { Location: '/ui/' });
        return refuse(res, { status: 401, code: 'launch_token_invalid', message: 'This link was already used or has expired. Run `warden serve` again for a new one.' }, true);
      }
      return send(res, 303, '', 'text/plain', { Location: '/ui/', 'Set-Cookie': sessionCookie(options.port(), session) });
    }
    if (!sessionOf(req)) return refuse(res, noSession, true);
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

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const hostRefused = hostRefusal(req);
    if (hostRefused) return refuse(res, hostRefused, false);
    const isEvents = url.pathname === '/api/events';
    if (isEvents) {
      if (req.method !== 'GET') return refuse(res, { status: 405, code: 'method_not_allowed', message: 'Events are read with GET.' }, false);
      const refusal = originRefusal(req, false) ?? (sessionOf(req) ? undefined : noSession);
      if (refusal) return refuse(res, refusal, false);
      streams.add(res);
      res.on('close', () => streams.delete(res));
      openEventStream(res, options.subscribe, { headers: SECURITY_HEADERS, heartbeatMs: options.heartbeatMs });
      return;
    }
    if (req.method !== 'POST') {
      return refuse(res, { status: 405, code: 'method_not_allowed', message: 'API methods are called with POST.' }, false);
    }
    // A cross-site page can send a simple POST with the browser's cookies only if SameSite lets it and
    // the Origin matches; we demand both, plus a JSON content type (which no form can send).
    const refusal = originRefusal(req, true) ?? (sessionOf(req) ? undefined : noSession);
    if (refusal) return refuse(res, refusal, false);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return refuse(res, { status: 415, code: 'unsupported_media_type', message: 'API calls carry a JSON body (Content-Type: application/json).' }, false);
    }
    const body = await readBody(req);
    if (!body) return refuse(res, { status: 413, code: 'payload_too_large', message: `The request body is larger than ${MAX_BODY_BYTES} bytes.` }, false);
    let input: unknown = {};
    if (body.length) {
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch {
        return refuse(res, { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON.' }, false);
      }
    }
    const method = decodeURIComponent(url.pathname.slice('/api/'.length));
    const answer = await options.dispatch(method, input);
    if (answer.ok) sendJson(res, 200, answer.result ?? null);
    else sendJson(res, answer.status, answer.error);
  }

  return {
    async handle(req, res) {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://127.0.0.1');
      } catch {
        return false;
      }
      if (url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
        const refusal = hostRefusal(req);
        if (refusal) refuse(res, refusal, true);
        else send(res, 302, '', 'text/plain', { Location: '/ui/' });
        return true;
      }
      if (url.pathname === '/ui' || url.pathname.startsWith('/ui/')) {
        await handleUi(req, res, url);
        return true;
      }
      if (url.pathname.startsWith('/api/') && req.headers.authorization === undefined) {
        await handleApi(req, res, url);
        return true;
      }
      return false;
    },
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
