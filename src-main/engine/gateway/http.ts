// The engine's one HTTP listener on 127.0.0.1: Streamable HTTP for clients at /mcp/<server> (and at /mcp,
// the aggregated endpoint, when the engine provides it), the admin
// API at /api/<method>, and routes that other parts mount (the web UI bridge). Every request passes the
// Host/Origin check (DNS rebinding) and needs a valid token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WardenError, errorMessage } from '../errors.js';
import type { JSONRPCMessage, RequestId } from '../mcp/sdk.js';
import { readBody } from './body.js';
import { StreamableHttpSession } from './streamableHttp.js';
import type { ApiCall } from '../api/router.js';
import { clientIdOf, type TokenOwner, type TokenStore } from './tokens.js';
import type { Upstream } from './session.js';

export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/**
 * A client session with nothing open (no call waiting, no standalone stream) and no request for this
 * long is ended, with its server process: a client that went away without DELETE would otherwise keep
 * both until the engine stops. A client that is still there holds its standalone stream (SDK clients
 * do), or starts a new session on the 404, as the spec asks.
 */
export const SESSION_IDLE_MS = 60 * 60_000;
/**
 * Live HTTP sessions one client token may hold, over all servers (each session has its own server
 * process): a client that opens sessions in a loop and never ends them would otherwise start server
 * processes without end. At the limit its longest-idle session makes room; with none idle, the new
 * session is refused.
 */
export const MAX_SESSIONS_PER_CLIENT = 64;
/** `/mcp`, or `/mcp/<server>` with a name as servers may be named (no dot segments, nothing encoded). */
const MCP_PATH = /^\/mcp(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$/;
const API_MAX_BODY_BYTES = 1024 * 1024;

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;
/** Other ways to authenticate an /api call (the web bridge's browser session). */
export type ApiAuthenticator = (req: IncomingMessage) => TokenOwner | null;

/** What the HTTP layer needs of a client session (a GatewaySession, or the aggregated endpoint's session). */
export interface ClientSession {
  readonly id: string;
  fromClient(message: JSONRPCMessage): Promise<void>;
  /** The client can no longer hear the answer to this request (its HTTP request ended first). */
  abandoned(id: RequestId): void;
  close(reason?: string): Promise<void>;
  /** Ended, perhaps by the engine (its server removed, changed or forbidden): the client must start anew. */
  readonly closed?: boolean;
}

export interface HttpDeps {
  tokens: TokenStore;
  api: ApiCall;
  /** Creates the session for a new client connection to `server` (throws WardenError if unknown). */
  openSession(server: string, owner: TokenOwner, upstream: Upstream): ClientSession;
  /** Creates a session on the aggregated endpoint /mcp (every server's tools as <server>__<tool>); absent: /mcp answers 404. */
  openAggregate?(owner: TokenOwner, upstream: Upstream): ClientSession;
  /** How long a client session may idle before it is ended (default SESSION_IDLE_MS). */
  sessionIdleMs?: number;
  /** Live sessions one client token may hold (default MAX_SESSIONS_PER_CLIENT). */
  maxSessionsPerClient?: number;
  /** Told of each session ended for idling (`crowded`: to make room for a new one of its client). */
  onIdleEnd?(session: { id: string; server: string; client: string; idleMs: number; crowded?: boolean }): void;
}

interface Binding {
  transport: StreamableHttpSession;
  session: ClientSession;
  server: string;
  owner: string;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function rpcHttpError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}, id: RequestId | null = null): void {
  sendJson(res, status, { jsonrpc: '2.0', id, error: { code: -32000, message, data: { code } } }, headers);
}

export function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

export class GatewayHttp {
  readonly #server: Server;
  readonly #bindings = new Map<string, Binding>();
  readonly #routes: Array<{ prefix: string; handler: RouteHandler }> = [];
  readonly #apiAuth: ApiAuthenticator[] = [];
  #port = 0;
  #idleSweep?: NodeJS.Timeout;
  /** Closes of sessions ended here (idle, ended by the engine, or stopping): close() waits for them, and their processes. */
  readonly #ending = new Set<Promise<void>>();
  /** The Host values that name this listener (set once the port is known). */
  #allowedHosts = new Set<string>();
  /** Per client id: new sessions whose initialize is still being answered (not yet in #bindings). */
  readonly #opening = new Map<string, number>();

  constructor(private readonly deps: HttpDeps) {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error) => {
        if (!res.headersSent) sendJson(res, 500, { code: 'internal', message: errorMessage(error) });
        else res.end();
      });
    });
    this.#server.keepAliveTimeout = 60_000;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  route(prefix: string, handler: RouteHandler): void {
    this.#routes.push({ prefix, handler });
  }

  authenticateApiWith(authenticator: ApiAuthenticator): void {
    this.#apiAuth.push(authenticator);
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    const idleMs = this.deps.sessionIdleMs ?? SESSION_IDLE_MS;
    this.#idleSweep = setInterval(() => this.#endIdle(idleMs), Math.max(10, Math.min(60_000, idleMs / 4)));
    this.#idleSweep.unref();
    this.#allowedHosts = new Set([`127.0.0.1:${this.#port}`, `localhost:${this.#port}`, `[::1]:${this.#port}`]);
  }

  #endIdle(idleMs: number): void {
    const now = Date.now();
    for (const [id, binding] of [...this.#bindings]) {
      if (binding.session.closed) {
        this.#forget(id, binding);
        continue;
      }
      const since = binding.transport.idleSince();
      if (since === undefined || now - since < idleMs) continue;
      this.deps.onIdleEnd?.({ id, server: binding.server || '*', client: binding.owner, idleMs: now - since });
      this.#forget(id, binding, `the session was idle for ${Math.round((now - since) / 1000)} s`);
    }
  }

  /** Drops a session's binding (its next request gets 404) and closes it, its transport with it. */
  #forget(id: string, binding: Binding, reason?: string): void {
    this.#bindings.delete(id);
    const ending = binding.session
      .close(reason)
      .then(() => binding.transport.close())
      .catch(() => undefined)
      .finally(() => this.#ending.delete(ending));
    this.#ending.add(ending);
  }

  /**
   * Whether client `owner` may open one more session: under its limit, or at it with an idle session
   * to end for room (the one idle longest; a client that still uses a session holds its stream or a call).
   */
  #roomFor(owner: string): boolean {
    const limit = this.deps.maxSessionsPerClient ?? MAX_SESSIONS_PER_CLIENT;
    let live = this.#opening.get(owner) ?? 0;
    let idlest: { id: string; binding: Binding; since: number } | undefined;
    for (const [id, binding] of this.#bindings) {
      if (binding.owner !== owner || binding.session.closed) continue;
      live += 1;
      const since = binding.transport.idleSince();
      if (since !== undefined && (!idlest || since < idlest.since)) idlest = { id, binding, since };
    }
    if (live < limit) return true;
    if (!idlest) return false;
    const idleMs = Date.now() - idlest.since;
    this.deps.onIdleEnd?.({ id: idlest.id, server: idlest.binding.server || '*', client: owner, idleMs, crowded: true });
    this.#forget(idlest.id, idlest.binding, `its client opened more than ${limit} sessions; this one had been idle longest (${Math.round(idleMs / 1000)} s)`);
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.#idleSweep);
    for (const [id, binding] of [...this.#bindings]) this.#forget(id, binding, 'Warden is stopping');
    await Promise.all([...this.#ending]);
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** Host and Origin must name this loopback listener (DNS rebinding defence). */
  originAllowed(req: IncomingMessage): boolean {
    const allowedHosts = this.#allowedHosts;
    const host = req.headers.host?.toLowerCase();
    if (!host || !allowedHosts.has(host)) return false;
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (origin === 'null') return false;
    try {
      const parsed = new URL(origin);
      return parsed.protocol === 'http:' && allowedHosts.has(parsed.host.toLowerCase());
    } catch {
      return false;
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.originAllowed(req)) {
      const message = 'Forbidden: this Warden endpoint only answers requests for its own loopback address (Host/Origin check).';
      // An MCP client reads a JSON-RPC error, as for a missing token; the API's callers read { code, message }.
      if ((req.url ?? '').startsWith('/mcp')) rpcHttpError(res, 403, 'forbidden', message);
      else sendJson(res, 403, { code: 'forbidden', message });
      return;
    }
    // The MCP path of a valid server name is taken as it is: URL parsing would change nothing in it, and
    // costs several µs on every call.
    if (MCP_PATH.test(req.url ?? '')) return this.#mcp(req, res, req.url!.slice('/mcp/'.length));
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    if (path === '/mcp' || path.startsWith('/mcp/')) {
      let server: string | undefined;
      try {
        server = decodeURIComponent(path.slice('/mcp/'.length));
      } catch {
        server = undefined; // broken percent-encoding: refused in #mcp, after the token check
      }
      return this.#mcp(req, res, server);
    }
    // Mounted routes first, so that one may claim a path below /api/ (the web bridge's /api/events).
    for (const { prefix, handler } of this.#routes) {
      if (path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : prefix + '/')) return handler(req, res, url);
    }
    if (path.startsWith('/api/')) return this.#api(req, res, path.slice('/api/'.length));
    const owner = this.deps.tokens.verify(bearer(req));
    if (!owner) return this.#unauthorized(res);
    sendJson(res, 404, { code: 'not_found', message: `Nothing at ${path}.` });
  }

  #unauthorized(res: ServerResponse, rpc = false): void {
    const headers = { 'www-authenticate': 'Bearer realm="warden"' };
    const message = 'Unauthorized: a valid Warden token is required (Authorization: Bearer <token>). Protect the client again in Warden to get one.';
    if (rpc) rpcHttpError(res, 401, 'unauthorized', message, headers);
    else sendJson(res, 401, { code: 'unauthorized', message }, headers);
  }

  /** `server`: the name from the path (empty for /mcp), undefined when the path's encoding is broken. */
  async #mcp(req: IncomingMessage, res: ServerResponse, server: string | undefined): Promise<void> {
    const owner = this.deps.tokens.verify(bearer(req));
    if (!owner) return this.#unauthorized(res, true);
    if (server === undefined) {
      rpcHttpError(res, 400, 'bad_input', 'Bad request: the server name in the path is not valid percent-encoding (UTF-8). Use /mcp/<server>.');
      return;
    }
    const openAggregate = this.deps.openAggregate;
    if (!server && !openAggregate) {
      rpcHttpError(res, 404, 'not_found', 'Connect to /mcp/<server>: the aggregated endpoint is not enabled.');
      return;
    }
    const ownerId = clientIdOf(owner);
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      let binding = this.#bindings.get(sessionId);
      if (binding?.session.closed) {
        // Ended by the engine (its server removed, changed or forbidden): the client starts a new one.
        this.#forget(sessionId, binding);
        binding = undefined;
      }
      if (!binding || binding.server !== server || binding.owner !== ownerId) {
        rpcHttpError(res, 404, 'not_found', 'Session not found: start a new session with initialize.');
        return;
      }
      await binding.transport.handle(req, res);
      return;
    }
    if (req.method !== 'POST') {
      rpcHttpError(res, 400, 'bad_input', 'Bad request: no Mcp-Session-Id. Start a session with an initialize POST.');
      return;
    }
    // A new session: the transport checks that the body is an initialize request.
    if (!this.#roomFor(ownerId)) {
      const limit = this.deps.maxSessionsPerClient ?? MAX_SESSIONS_PER_CLIENT;
      rpcHttpError(res, 429, 'too_many_sessions', `Too many sessions: this client already has ${limit} open sessions with Warden, each with its own server process, and none of them is idle. End the sessions it no longer uses (HTTP DELETE with their Mcp-Session-Id) before starting another.`);
      return;
    }
    let session: ClientSession;
    let transport!: StreamableHttpSession;
    const upstream: Upstream = {
      send: (message: JSONRPCMessage, relatedRequestId?: RequestId) => transport.send(message, relatedRequestId === undefined ? undefined : { relatedRequestId }),
    };
    try {
      session = server ? this.deps.openSession(server, owner, upstream) : openAggregate!(owner, upstream);
    } catch (error) {
      const code = error instanceof WardenError ? error.code : 'internal';
      rpcHttpError(res, code === 'server_unknown' ? 404 : code === 'forbidden' || code === 'locked' ? 403 : 500, code, errorMessage(error));
      return;
    }
    transport = new StreamableHttpSession(session.id, MAX_BODY_BYTES);
    transport.onmessage = (message) => {
      void session.fromClient(message);
    };
    transport.onabandoned = (id) => session.abandoned(id);
    transport.onclose = () => {
      this.#bindings.delete(session.id);
      void session.close();
    };
    this.#opening.set(ownerId, (this.#opening.get(ownerId) ?? 0) + 1);
    try {
      await transport.handle(req, res);
    } catch (error) {
      // The request broke off before it was read (the client went away): nothing to keep.
      if (!transport.initialized) await session.close();
      throw error;
    } finally {
      const opening = this.#opening.get(ownerId)! - 1;
      if (opening > 0) this.#opening.set(ownerId, opening);
      else this.#opening.delete(ownerId);
    }
    if (transport.initialized) {
      this.#bindings.set(session.id, { transport, session, server, owner: ownerId });
    } else {
      // Not an initialize (the transport answered with an error): nothing to keep.
      await session.close();
    }
  }

  async #api(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    let owner = this.deps.tokens.verify(bearer(req));
    for (const authenticate of this.#apiAuth) owner ??= authenticate(req);
    if (!owner || owner.kind !== 'admin') return this.#unauthorized(res);
    if (req.method !== 'POST') {
      sendJson(res, 405, { code: 'bad_input', message: 'API methods are called with POST and a JSON body.' }, { allow: 'POST' });
      return;
    }
    let input: unknown;
    try {
      const body = await readBody(req, API_MAX_BODY_BYTES);
      if (!body) throw new WardenError('bad_input', `The request body is larger than ${API_MAX_BODY_BYTES} bytes.`);
      const text = body.toString('utf8');
      input = text.trim() ? JSON.parse(text) : {};
    } catch (error) {
      sendJson(res, 400, { code: 'bad_input', message: `The request body is not valid JSON: ${errorMessage(error)}` });
      return;
    }
    const result = await this.deps.api(method, input);
    if (result.ok) sendJson(res, 200, { result: result.result });
    else sendJson(res, result.status, result.error);
  }
}
