// The aggregated endpoint /mcp: one client session that sees the tools of every configured server,
// named `<server>__<tool>` (gateway/namespace.ts). It answers `initialize` itself and opens, on first
// need, one inner GatewaySession per server through the engine's own openSession — so every call
// still passes that server's decision point and audit point, recorded under the real server and tool
// names. Request ids are mapped both ways: the client's ids ↔ ids of this session's inner requests,
// and the servers' own requests (sampling, elicitation, roots, ping) ↔ ids the client sees.
//
// What this endpoint carries: tools (list, call, progress, cancellation, list_changed) and the servers'
// requests to the client. It does not aggregate resources, prompts, completion or logging levels:
// resources/list, resources/templates/list and prompts/list answer an empty list (a client that asks
// anyway finds nothing, rather than failing its start); every other such method answers "method not
// found" naming /mcp/<server>, where each server keeps all of MCP.
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { isErrorResponse, isNotification, isRequest, isResponse } from '../mcp/kinds.js';
import {
  ErrorCode,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type RequestId,
  type Tool,
} from '../mcp/sdk.js';
import { VERSION } from '../version.js';
import { NAMESPACE_SEPARATOR, namespacedName, splitNamespacedName } from './namespace.js';
import type { GatewaySession, Upstream } from './session.js';

/** What the aggregate needs of one server's session (a GatewaySession). */
export type InnerSession = Pick<GatewaySession, 'fromClient' | 'abandoned' | 'close'>;

export interface AggregateDeps {
  clientId: string;
  /** Where messages for the client go. */
  upstream: Upstream;
  logger: Logger;
  /** The configured server names, in order (read at each listing and call). */
  servers(): string[];
  /** Opens a session with one server, as for /mcp/<server> (throws if it is unknown or blocked by IT). */
  openSession(server: string, upstream: Upstream, onClose: () => void): InnerSession;
  /** Called once, when the client's initialize arrives. */
  onOpen?(): void;
  onClose?(): void;
  /** How long a merged tools/list waits for one server before listing the others without it. */
  listWaitMs?: number;
}

const LIST_WAIT_MS = 20_000;
/** Starting a server and its initialize (an `npx` first run downloads the package). */
const INIT_TIMEOUT_MS = 60_000;
const LIST_TIMEOUT_MS = 30_000;
/** Bursts of list changes (a managed policy change touches every server) reach the client as one. */
const LIST_CHANGED_DELAY_MS = 20;
/** Ids of the servers' requests as the client sees them. */
const OUTWARD_ID_PREFIX = 'warden-aggregate:';

const EMPTY_LISTS: Record<string, Record<string, unknown[]>> = {
  'resources/list': { resources: [] },
  'resources/templates/list': { resourceTemplates: [] },
  'prompts/list': { prompts: [] },
};

/** The protocol version to answer with: the client's when Warden's SDK knows it, else the latest (as the SDK's server does). */
export function negotiateProtocolVersion(requested: unknown): string {
  return typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

class AggregateError extends Error {
  constructor(
    readonly rpcCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Inner {
  server: string;
  session: InnerSession;
  /** Settles once the server's session is initialized. */
  ready: Promise<void>;
  isReady: boolean;
  closed: boolean;
  /** The server's tools as this client last saw them (after the decision point), unprefixed. */
  tools?: Tool[];
}

interface OwnRequest {
  resolve(message: JSONRPCMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** A client request this session routed to a server (or is about to). */
interface ClientCall {
  inner?: Inner;
  innerId?: number;
  cancelled: boolean;
}

const rpcError = (id: RequestId, code: number, message: string, wardenCode: string): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  error: { code, message, data: { code: wardenCode } },
});

export class AggregateSession {
  readonly id = randomUUID();
  readonly #inners = new Map<string, Inner>();
  /** Inner request id → the client's request it carries. */
  readonly #routes = new Map<number, { inner: Inner; clientId: RequestId }>();
  readonly #calls = new Map<RequestId, ClientCall>();
  readonly #own = new Map<number, OwnRequest>();
  /** Id the client sees → the server's request it stands for. */
  readonly #outward = new Map<string, { inner: Inner; id: RequestId }>();
  #nextInnerId = 1;
  #nextOutwardId = 1;
  #initializeParams: Record<string, unknown> = {};
  #opened = false;
  #protocolVersion = LATEST_PROTOCOL_VERSION;
  #clientInitialized = false;
  /** The server names of the last merged listing (to tell the client when servers come or go). */
  #listed?: string;
  #listChangedTimer?: NodeJS.Timeout;
  #closing = false;
  #closed = false;

  constructor(private readonly deps: AggregateDeps) {}

  /** Ended (or ending): by the client, or by the engine stopping. */
  get closed(): boolean {
    return this.#closing;
  }

  // ---- client → servers ---------------------------------------------------------------------------

  async fromClient(message: JSONRPCMessage): Promise<void> {
    if (this.#closing) return;
    if (isRequest(message)) return this.#request(message);
    if (isNotification(message)) return this.#notification(message);
    if (isResponse(message)) {
      // The client's answer to a server's request (sampling, elicitation, roots).
      const target = typeof message.id === 'string' ? this.#outward.get(message.id) : undefined;
      if (!target) return;
      this.#outward.delete(message.id as string);
      await target.inner.session.fromClient({ ...message, id: target.id } as JSONRPCMessage);
    }
  }

  /** The client can no longer hear this request's answer: a call not yet routed is dropped; a routed one is its server session's to settle. */
  abandoned(id: RequestId): void {
    const call = this.#calls.get(id);
    if (!call) return;
    if (call.inner && call.innerId !== undefined) return call.inner.session.abandoned(call.innerId);
    call.cancelled = true;
    this.#calls.delete(id);
  }

  async #request(request: JSONRPCRequest): Promise<void> {
    if (this.#calls.has(request.id)) {
      // Its answer would race the open call's for the same id (and end that call's entry here).
      await this.#send(rpcError(request.id, ErrorCode.InvalidRequest, `Invalid Request: a request with id ${JSON.stringify(request.id)} is still open in this session. Use a new id for each request.`, 'bad_input'));
      return;
    }
    try {
      switch (request.method) {
        case 'initialize':
          return await this.#initialize(request);
        case 'ping':
          return await this.#send({ jsonrpc: '2.0', id: request.id, result: {} });
        case 'tools/list':
          return await this.#listTools(request);
        case 'tools/call':
          return await this.#callTool(request);
      }
      const empty = EMPTY_LISTS[request.method];
      if (empty) return await this.#send({ jsonrpc: '2.0', id: request.id, result: empty });
      throw new AggregateError(
        ErrorCode.MethodNotFound,
        'not_found',
        `Method \`${request.method}\` is not available on Warden's aggregated endpoint /mcp, which carries the tools of every server (named <server>__<tool>). Connect to /mcp/<server> for that server's resources, prompts, completion and logging.`,
      );
    } catch (error) {
      // A call the client cancelled while it waited for its server expects no answer.
      if (request.method === 'tools/call' && !this.#calls.has(request.id)) return;
      const e = error instanceof AggregateError ? error : new AggregateError(ErrorCode.InternalError, codeOf(error), errorMessage(error));
      this.#calls.delete(request.id);
      await this.#send(rpcError(request.id, e.rpcCode, e.message, e.code));
    }
  }

  async #notification(message: JSONRPCNotification): Promise<void> {
    if (message.method === 'notifications/initialized') {
      this.#clientInitialized = true;
      return;
    }
    if (message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      const call = requestId === undefined ? undefined : this.#calls.get(requestId);
      if (!call) return;
      call.cancelled = true;
      this.#calls.delete(requestId!);
      if (call.inner && call.innerId !== undefined) {
        this.#routes.delete(call.innerId);
        await call.inner.session.fromClient({ ...message, params: { ...message.params, requestId: call.innerId } } as JSONRPCMessage);
      }
      return;
    }
    if (message.method === 'notifications/roots/list_changed') {
      for (const inner of this.#inners.values()) if (inner.isReady) await inner.session.fromClient(message);
    }
  }

  async #initialize(request: JSONRPCRequest): Promise<void> {
    if (!this.#opened) {
      this.#opened = true;
      this.deps.onOpen?.();
    }
    const params = (request.params ?? {}) as Record<string, unknown>;
    this.#protocolVersion = negotiateProtocolVersion(params.protocolVersion);
    this.#initializeParams = params;
    await this.#send({
      jsonrpc: '2.0',
      id: request.id,
      result: {
        protocolVersion: this.#protocolVersion,
        capabilities: { tools: { listChanged: true } },
        serverInfo: { name: 'warden', title: 'Warden (all servers)', version: VERSION },
        instructions:
          'The tools of every MCP server Warden protects, each named <server>__<tool>. Every call passes Warden’s policy: some wait for a person to approve them, some are refused with the reason.',
      },
    });
  }

  async #listTools(request: JSONRPCRequest): Promise<void> {
    if ((request.params as { cursor?: unknown } | undefined)?.cursor !== undefined) {
      throw new AggregateError(ErrorCode.InvalidParams, 'bad_input', 'Invalid cursor: the aggregated endpoint lists every tool in one page.');
    }
    const servers = this.deps.servers();
    this.#listed = servers.join('\n');
    const lists = await Promise.all(servers.map((server) => this.#listedTools(server)));
    await this.#send({ jsonrpc: '2.0', id: request.id, result: { tools: lists.flat() } });
  }

  /** One server's tools for a merged listing, prefixed; a server that cannot start or is blocked is left out. */
  async #listedTools(server: string): Promise<Tool[]> {
    let late = false;
    let timer: NodeJS.Timeout | undefined;
    const listing = (async () => {
      const inner = this.#inner(server);
      await inner.ready;
      return this.#refreshTools(inner);
    })();
    const wait = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.deps.listWaitMs ?? LIST_WAIT_MS);
    });
    try {
      const tools = await Promise.race([listing, wait]);
      if (tools === 'late') {
        late = true;
        this.deps.logger.warn('aggregate.server_late', { server, client: this.deps.clientId, waitedMs: this.deps.listWaitMs ?? LIST_WAIT_MS });
        // Once it answers, the client is told to list again and finds its tools then.
        listing.then(() => this.#listChangedSoon(), () => undefined);
        return [];
      }
      return tools.map((tool) => ({ ...tool, name: namespacedName(server, tool.name) }));
    } catch (error) {
      this.deps.logger.warn('aggregate.server_left_out', { server, client: this.deps.clientId, code: codeOf(error), message: errorMessage(error) });
      return [];
    } finally {
      clearTimeout(timer);
      if (late) listing.catch((error) => this.deps.logger.warn('aggregate.server_left_out', { server, client: this.deps.clientId, code: codeOf(error), message: errorMessage(error) }));
    }
  }

  async #callTool(request: JSONRPCRequest): Promise<void> {
    const call: ClientCall = { cancelled: false };
    this.#calls.set(request.id, call);
    const params = (request.params ?? {}) as Record<string, unknown>;
    const name = params.name;
    if (typeof name !== 'string' || !name) throw new AggregateError(ErrorCode.InvalidParams, 'bad_input', 'tools/call needs a tool name (<server>__<tool>).');
    const servers = this.deps.servers();
    const target = splitNamespacedName(name, servers);
    const named = servers.find((server) => name === server + NAMESPACE_SEPARATOR);
    if (!target && named) {
      throw new AggregateError(ErrorCode.InvalidParams, 'bad_input', `Unknown tool \`${name}\`: no tool name after \`${named}__\`. Tools here are named <server>__<tool>; list them with tools/list.`);
    }
    if (!target) {
      throw new AggregateError(
        ErrorCode.InvalidParams,
        'server_unknown',
        `Unknown tool \`${name}\`: no configured server is named before \`__\`. Tools here are named <server>__<tool>; ${servers.length ? `the servers are ${servers.join(', ')}` : 'no servers are configured'}. List them again with tools/list.`,
      );
    }
    const inner = this.#inner(target.server);
    await inner.ready;
    // A tool this client was not shown (hidden by policy, or one the server does not have) still goes
    // to the server's session, as on /mcp/<server>: the decision point refuses it with its reason or the
    // server answers, and either way the attempt is on record.
    if (call.cancelled || this.#closing) return;
    const innerId = this.#nextInnerId++;
    call.inner = inner;
    call.innerId = innerId;
    this.#routes.set(innerId, { inner, clientId: request.id });
    // The inner session decides, audits and forwards the call under the real server and tool names.
    await inner.session.fromClient({ ...request, id: innerId, params: { ...params, name: target.tool } });
  }

  // ---- inner sessions -----------------------------------------------------------------------------

  /** The session with `server`, opened (and initialized with the client's own capabilities) on first need. */
  #inner(server: string): Inner {
    const existing = this.#inners.get(server);
    if (existing) return existing;
    if (this.#closing) throw new AggregateError(ErrorCode.ConnectionClosed, 'engine_not_running', 'The session is closed.');
    let inner!: Inner;
    const upstream: Upstream = { send: (message, related) => this.#fromInner(inner, message, related) };
    const session = this.deps.openSession(server, upstream, () => this.#innerClosed(inner));
    inner = { server, session, ready: Promise.resolve(), isReady: false, closed: false };
    this.#inners.set(server, inner);
    inner.ready = this.#initializeInner(inner).catch(async (error) => {
      if (this.#inners.get(server) === inner) this.#inners.delete(server);
      await session.close('it did not initialize');
      throw error;
    });
    inner.ready.catch(() => undefined);
    return inner;
  }

  async #initializeInner(inner: Inner): Promise<void> {
    const response = await this.#ownRequest(inner, 'initialize', { ...this.#initializeParams, protocolVersion: this.#protocolVersion }, INIT_TIMEOUT_MS);
    if (isErrorResponse(response)) throw errorFrom(response);
    await inner.session.fromClient({ jsonrpc: '2.0', method: 'notifications/initialized' });
    inner.isReady = true;
  }

  /** Lists every page of the server's tools (through its decision point) and keeps them for routing calls. */
  async #refreshTools(inner: Inner): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const response = await this.#ownRequest(inner, 'tools/list', cursor ? { cursor } : {}, LIST_TIMEOUT_MS);
      if (isErrorResponse(response)) throw errorFrom(response);
      const result = (response as { result: { tools?: Tool[]; nextCursor?: string } }).result;
      tools.push(...(result.tools ?? []));
      cursor = result.nextCursor;
    } while (cursor);
    inner.tools = tools;
    return tools;
  }

  async #ownRequest(inner: Inner, method: string, params: Record<string, unknown>, timeoutMs: number): Promise<JSONRPCMessage> {
    const id = this.#nextInnerId++;
    const answer = new Promise<JSONRPCMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#own.delete(id);
        reject(new AggregateError(ErrorCode.InternalError, 'server_start_failed', `Server \`${inner.server}\` did not answer ${method} within ${timeoutMs / 1000} s.`));
      }, timeoutMs).unref();
      this.#own.set(id, { resolve, reject, timer });
    });
    // Heard from the start: the close or the timeout can reject it while the inner session still works on
    // sending it (a server that starts slowly, an HTTP server slow to answer). An unhandled rejection
    // ends the engine's process.
    answer.catch(() => undefined);
    await inner.session.fromClient({ jsonrpc: '2.0', id, method, params });
    return answer;
  }

  // ---- servers → client ---------------------------------------------------------------------------

  /** What one inner session sends "to its client": answers to this session's requests, or messages for the real client. */
  async #fromInner(inner: Inner, message: JSONRPCMessage, related?: RequestId): Promise<void> {
    if (this.#closed) return;
    const relatedClientId = typeof related === 'number' ? this.#routes.get(related)?.clientId : undefined;
    if (isResponse(message)) {
      const id = message.id;
      if (typeof id !== 'number') return;
      const own = this.#own.get(id);
      if (own) {
        this.#own.delete(id);
        clearTimeout(own.timer);
        own.resolve(message);
        return;
      }
      const route = this.#routes.get(id);
      if (!route) return; // cancelled by the client, or already answered
      this.#routes.delete(id);
      this.#calls.delete(route.clientId);
      return this.deps.upstream.send({ ...message, id: route.clientId } as JSONRPCMessage);
    }
    if (isRequest(message)) {
      const outwardId = `${OUTWARD_ID_PREFIX}${this.#nextOutwardId++}`;
      this.#outward.set(outwardId, { inner, id: message.id });
      try {
        return await this.deps.upstream.send({ ...message, id: outwardId }, relatedClientId);
      } catch (error) {
        // Not delivered (the related request's stream is gone): the inner session may send it again unrelated.
        this.#outward.delete(outwardId);
        throw error;
      }
    }
    if (!isNotification(message)) return;
    const params = message.params as Record<string, unknown> | undefined;
    switch (message.method) {
      case 'notifications/tools/list_changed':
        inner.tools = undefined;
        this.#listChangedSoon();
        return;
      case 'notifications/resources/list_changed':
      case 'notifications/resources/updated':
      case 'notifications/prompts/list_changed':
        return; // not carried on this endpoint
      case 'notifications/cancelled': {
        // The server gave up on its own request to the client.
        const entry = [...this.#outward].find(([, t]) => t.inner === inner && t.id === params?.requestId);
        if (!entry) return;
        this.#outward.delete(entry[0]);
        return this.deps.upstream.send({ ...message, params: { ...params, requestId: entry[0] } } as JSONRPCMessage, relatedClientId);
      }
      case 'notifications/message': {
        const logger = typeof params?.logger === 'string' ? `${inner.server}/${params.logger}` : inner.server;
        return this.deps.upstream.send({ ...message, params: { ...params, logger } } as JSONRPCMessage, relatedClientId);
      }
      default:
        // Progress (its token is the client's own) and anything else.
        return this.deps.upstream.send(message, relatedClientId);
    }
  }

  /** The engine closed a server's session (server removed or changed, blocked by IT, Warden stopping). */
  #innerClosed(inner: Inner): void {
    inner.closed = true;
    if (this.#inners.get(inner.server) === inner) this.#inners.delete(inner.server);
    for (const [id, target] of [...this.#outward]) if (target.inner === inner) this.#outward.delete(id);
    for (const [id, route] of [...this.#routes]) {
      if (route.inner !== inner) continue;
      // The session answered what it could while closing; anything left is told here.
      this.#routes.delete(id);
      this.#calls.delete(route.clientId);
      void this.#send(rpcError(route.clientId, ErrorCode.InternalError, `The session with server \`${inner.server}\` ended before it answered. Try the call again.`, 'server_crashed'));
    }
    if (inner.isReady) this.#listChangedSoon();
  }

  // ---- engine → client ----------------------------------------------------------------------------

  /** Policy changed what this client may see of `server` (or of every server, for none or `*`). */
  toolsChanged(server?: string): void {
    for (const inner of this.#inners.values()) if (!server || server === '*' || inner.server === server) inner.tools = undefined;
    if (this.#listed !== undefined) this.#listChangedSoon();
  }

  /** Servers were added, removed or changed: the client lists again when the set of names differs. */
  serversChanged(): void {
    if (this.#listed !== undefined && this.deps.servers().join('\n') !== this.#listed) this.#listChangedSoon();
  }

  #listChangedSoon(): void {
    if (this.#closing || !this.#clientInitialized || this.#listChangedTimer) return;
    this.#listChangedTimer = setTimeout(() => {
      this.#listChangedTimer = undefined;
      if (!this.#closing) void this.#send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    }, LIST_CHANGED_DELAY_MS);
    this.#listChangedTimer.unref();
  }

  async #send(message: JSONRPCMessage): Promise<void> {
    try {
      await this.deps.upstream.send(message);
    } catch (error) {
      this.deps.logger.warn('client.send_failed', { endpoint: 'aggregate', client: this.deps.clientId, message: errorMessage(error) });
    }
  }

  /** The client went away, or the engine stops: every server's session ends, open calls are answered. */
  async close(reason = 'the session ended'): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#listChangedTimer);
    // Calls still waiting for their server to start were never forwarded.
    for (const [clientId, call] of [...this.#calls]) {
      if (call.innerId !== undefined) continue;
      this.#calls.delete(clientId);
      await this.#send(rpcError(clientId, ErrorCode.InternalError, `The call did not complete: ${reason}. It was not forwarded.`, 'engine_not_running'));
    }
    // Each inner session answers its forwarded calls (fail closed) on its way out.
    await Promise.all([...this.#inners.values()].map((inner) => inner.session.close(reason)));
    this.#inners.clear();
    this.#closed = true;
    for (const [id, own] of [...this.#own]) {
      this.#own.delete(id);
      clearTimeout(own.timer);
      own.reject(new AggregateError(ErrorCode.ConnectionClosed, 'engine_not_running', `The session ended: ${reason}.`));
    }
    this.deps.onClose?.();
  }
}

function codeOf(error: unknown): string {
  if (error instanceof AggregateError) return error.code;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'internal';
}

/** An inner session's JSON-RPC error as one the client can read (its message and Warden code kept). */
function errorFrom(response: JSONRPCMessage): AggregateError {
  const error = (response as { error: { code: number; message: string; data?: { code?: string } } }).error;
  return new AggregateError(error.code, error.data?.code ?? 'server_start_failed', error.message);
}
