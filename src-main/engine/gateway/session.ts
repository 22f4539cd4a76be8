// One client session bound to its own downstream session, as with a direct connection. Messages pass
// through unchanged both ways, except tools/call (decided and audited before it is forwarded) and
// tools/list results (seen by the decision point, which pins definitions and may hide tools).
import { randomUUID } from 'node:crypto';
import type { ServerConfig } from '../../../shared/servers.js';
import { WardenError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { isErrorResponse, isNotification, isRequest, isResponse, isResult } from '../mcp/kinds.js';
import { isNamedTool } from '../mcp/tool-entry.js';
import { nestedDeeperThan } from '../audit/canonical.js';
import {
  ErrorCode,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
  type Tool,
} from '../mcp/sdk.js';
import type { AuditPoint, CallOutcome, ClientIdentity, Decision, DecisionPoint, ToolCall, WaitingChannel } from '../pipeline.js';
import { Downstream, type SecretResolver } from './downstream.js';
import { LazyAbort } from './lazy-abort.js';
import type { ServerRuntime } from './runtime.js';

/** Where messages for the client go. `relatedRequestId` routes them onto that request's stream. */
export interface Upstream {
  send(message: JSONRPCMessage, relatedRequestId?: RequestId): Promise<void>;
}

export interface SessionDeps {
  server: ServerConfig;
  client: ClientIdentity;
  upstream: Upstream;
  runtime: ServerRuntime;
  decisions: DecisionPoint;
  audit: AuditPoint;
  logger: Logger;
  /** Where the server's stderr lines are kept beside the in-memory tail (logs/servers.log). */
  stderrLog?: Logger;
  resolveSecret?: SecretResolver;
  /** Called once, when the client's initialize arrives: a session counts (and is logged) from then on. */
  onOpen?: () => void;
  onClose?: () => void;
  /** Keep a started spare process of stdio servers for the next session (desktop and serve: on). */
  warmSpares?: boolean;
}

type ProgressToken = string | number;

interface Inflight {
  method: string;
  progressToken?: ProgressToken;
  /** Sent to the downstream server (a held tools/call is not, yet). */
  forwarded: boolean;
  /** The client cancelled it before it was sent (while its server restarted): it never will be. */
  cancelled?: boolean;
  /** Cancelled because the client went away (its HTTP request ended), not by its own notification. */
  abandoned?: boolean;
  call?: ToolCall;
  decision?: Decision;
  controller?: LazyAbort;
  /** The call's outcome record is made (once per call, whoever ends it: the answer, a crash, a cancel, the close). */
  recorded?: boolean;
}

interface Pending {
  /** Who was asked: only an answer from that side settles it (a server must not answer the approval question put to the person, nor a client the tools/list put to the server). */
  asked: 'server' | 'client';
  resolve(message: JSONRPCMessage): void;
  reject(error: Error): void;
}

/** JSON-RPC error codes: the SDK's, plus the stable Warden code in `data.code`. */
const rpcError = (id: RequestId, code: number, message: string, wardenCode: string): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  error: { code, message, data: { code: wardenCode } },
});

const WARDEN_ID_PREFIX = 'warden:';
/** Longest client name or version kept from initialize (a label, not a payload). */
const MAX_CLAIMED_CHARS = 200;

/** A client's claimed name or version: kept only as a string, and only so long. */
function claimedText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length <= MAX_CLAIMED_CHARS ? value : `${Array.from(value).slice(0, MAX_CLAIMED_CHARS).join('')}…`;
}
/** The outcome of a request the client cancelled while Warden held it (a decision, a restart). */
const CANCELLED_BEFORE_FORWARDING = { status: 'cancelled', errorMessage: 'cancelled by the client before it was forwarded' } as const;
const ABANDONED_BEFORE_FORWARDING = { status: 'cancelled', errorMessage: 'the client went away (its request ended) before the call was forwarded' } as const;
const cancelledOutcome = (entry: Inflight) => (entry.abandoned ? ABANDONED_BEFORE_FORWARDING : CANCELLED_BEFORE_FORWARDING);
const REPLAY_TIMEOUT_MS = 15_000;
/** How many cancelled ids a session keeps taken while their server may still answer them. */
const MAX_CANCELLED_IDS = 4096;
/** How deep a call's arguments may nest objects and arrays. */
const MAX_ARGUMENT_DEPTH = 256;

export class GatewaySession {
  readonly id = randomUUID();
  readonly #inflight = new Map<RequestId, Inflight>();
  readonly #pending = new Map<string, Pending>();
  readonly #tools = new Map<string, Tool>();
  readonly #progressOwner = new Map<ProgressToken, RequestId>();
  #downstream?: Downstream;
  #starting?: Promise<Downstream>;
  #initializeRequest?: JSONRPCRequest;
  #initializedSent = false;
  #clientCapabilities: Record<string, unknown> = {};
  /** The server said it sends tools/list_changed, so the client listens for it. */
  #toolsListChanged = false;
  #nextId = 1;
  /**
   * Ids of calls the client cancelled after they were forwarded: the server may still answer them, so
   * they stay taken until it does (or its process ends), or a new request reusing one would get the
   * old call's answer. Bounded: the oldest is forgotten past MAX_CANCELLED_IDS.
   */
  readonly #answerOwed = new Set<RequestId>();
  #opened = false;
  #closed = false;

  constructor(private readonly deps: SessionDeps) {}

  get client(): ClientIdentity {
    return this.deps.client;
  }

  /** The client sent its initialize: from then on the session counts (and its close is counted too). */
  get opened(): boolean {
    return this.#opened;
  }

  get serverName(): string {
    return this.deps.server.name;
  }

  /** Ended: by the client, or by the engine (its server removed or changed, the engine stopping). */
  get closed(): boolean {
    return this.#closed;
  }

  // ---- client → server ----------------------------------------------------------------------------

  /**
   * The client can no longer hear the answer to `id` (its HTTP request ended; there is no resuming a
   * stream). A call Warden still holds (for a decision, a restart) is withdrawn and never forwarded, so
   * nobody approves a call whose answer goes nowhere; one already forwarded runs on, as a disconnect is
   * not a cancellation.
   */
  abandoned(id: RequestId): void {
    const entry = this.#inflight.get(id);
    if (!entry || entry.forwarded || entry.cancelled) return;
    this.deps.logger.info('client.request_abandoned', { server: this.deps.server.name, client: this.deps.client.id, method: entry.method });
    entry.cancelled = true;
    entry.abandoned = true;
    entry.controller?.abort();
  }

  async fromClient(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return;
    if (isRequest(message)) {
      const refused = this.#unusableId(message.id);
      if (refused) return this.#reply(rpcError(message.id, ErrorCode.InvalidRequest, refused, 'bad_input'));
      if (message.method === 'initialize') return this.#initialize(message);
      if (!this.#opened) {
        // Before initialize (the spec allows only pings then): nothing starts the server for it, nor
        // reaches a server that was never initialized. HTTP refuses it earlier, with 400.
        if (message.method === 'ping') return this.#reply({ jsonrpc: '2.0', id: message.id, result: {} });
        return this.#reply(rpcError(message.id, ErrorCode.InvalidRequest, 'Invalid Request: the session is not initialized. Send initialize first.', 'bad_input'));
      }
      if (message.method === 'tools/call') return this.#toolCall(message);
      this.#track(message, message.method);
      return this.#forward(message);
    }
    if (isNotification(message)) {
      // A tools/call without an id could not be decided, answered or put on record: it never reaches
      // the server (a server that ran it would run a call Warden never checked).
      if (message.method === 'tools/call') {
        this.deps.logger.warn('client.call_without_id', { server: this.deps.server.name, client: this.deps.client.id });
        return;
      }
      if (message.method === 'notifications/initialized') this.#initializedSent = true;
      if (message.method === 'notifications/cancelled') {
        const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
        const entry = requestId === undefined ? undefined : this.#inflight.get(requestId);
        entry?.controller?.abort();
        if (entry && !entry.forwarded) {
          // Held by Warden (a decision, a restart): the server never saw it, and now never will.
          entry.cancelled = true;
          return;
        }
        if (entry) {
          // The client expects no answer now, and a server need not send one: the call ends here (an
          // answer that still comes is not heard), on record as cancelled.
          this.#settle(requestId!);
          this.#owe(requestId!);
          this.#record(entry, { status: 'cancelled', errorMessage: 'cancelled by the client after it was forwarded' });
        }
      }
      return this.#sendDownstream(message).catch(() => undefined);
    }
    if (isResponse(message)) {
      const own = message.id === undefined ? undefined : this.#takePending(message.id, 'client');
      if (own) return own.resolve(message);
      return this.#sendDownstream(message).catch(() => undefined);
    }
  }

  /**
   * Why a client's request id cannot be used, if it cannot: one still open in this session would have
   * two answers race for it (and the first request would never be answered), and ids starting with
   * `warden:` are those of Warden's own requests to the server and the client.
   */
  #unusableId(id: RequestId): string | undefined {
    if (typeof id === 'string' && id.startsWith(WARDEN_ID_PREFIX)) return `Invalid Request: request ids starting with \`${WARDEN_ID_PREFIX}\` are Warden's own. Use another id.`;
    if (this.#inflight.has(id)) return `Invalid Request: a request with id ${JSON.stringify(id)} is still open in this session. Use a new id for each request.`;
    if (this.#answerOwed.has(id)) return `Invalid Request: the request with id ${JSON.stringify(id)} was cancelled and its server may still answer it. Use a new id for each request.`;
    return undefined;
  }

  async #initialize(request: JSONRPCRequest): Promise<void> {
    if (!this.#opened) {
      this.#opened = true;
      this.deps.onOpen?.();
    }
    const params = (request.params ?? {}) as { clientInfo?: { name?: unknown; version?: unknown }; capabilities?: Record<string, unknown> };
    this.deps.client.name = claimedText(params.clientInfo?.name);
    this.deps.client.version = claimedText(params.clientInfo?.version);
    this.#clientCapabilities = params.capabilities ?? {};
    this.#initializeRequest = request;
    try {
      await this.#ensureDownstream({ replay: false });
    } catch (error) {
      await this.#reply(rpcError(request.id, ErrorCode.InternalError, errorMessage(error), (error as WardenError).code ?? 'server_start_failed'));
      return;
    }
    this.#track(request, 'initialize');
    await this.#forward(request);
  }

  async #toolCall(request: JSONRPCRequest): Promise<void> {
    const params = (request.params ?? {}) as { name?: unknown; arguments?: unknown; _meta?: { progressToken?: ProgressToken } };
    const entry = this.#track(request, 'tools/call');
    const cancel = new LazyAbort();
    entry.controller = cancel;
    const name = typeof params.name === 'string' ? params.name : '';
    // Arguments Warden cannot judge are refused (on record without them), never decided as {} while the
    // server gets what was sent.
    const argsProblem = argumentsProblem(params.arguments);
    const args = argsProblem || params.arguments === undefined ? {} : (params.arguments as Record<string, unknown>);
    const call: ToolCall = {
      callId: randomUUID(),
      sessionId: this.id,
      client: { ...this.deps.client },
      server: this.deps.server.name,
      tool: name,
      arguments: args,
      progressToken: params._meta?.progressToken,
      get signal() {
        return cancel.signal;
      },
      startedAt: Date.now(),
    };
    entry.call = call;

    let decision: Decision;
    try {
      if (!name) throw new WardenError('bad_input', 'tools/call needs a tool name.');
      if (argsProblem) throw new WardenError('bad_input', argsProblem);
      if (!this.#tools.has(name)) await this.#learnTools().catch((error) => this.deps.logger.warn('tools.learn_failed', { server: call.server, message: errorMessage(error) }));
      call.definition = this.#tools.get(name);
      decision = await this.deps.decisions.decide(call, this.#channel(request.id, call));
    } catch (error) {
      decision = {
        effect: 'deny',
        ruleId: 'gateway:check-failed',
        reasons: [`Warden could not check this call (${errorMessage(error)}), so it refuses it.`],
        approver: 'policy',
        status: 'denied',
      };
    }
    entry.decision = decision;

    // No audit record, no call.
    try {
      await this.deps.audit.decided(call, decision);
    } catch (error) {
      this.deps.logger.error('audit.write_failed', { server: call.server, tool: name, message: errorMessage(error) });
      // The session's close answered it while the record was written (the log closes with the engine).
      if (this.#inflight.get(request.id) !== entry) return;
      this.#inflight.delete(request.id);
      if (entry.cancelled) return; // the client cancelled it meanwhile: it expects no answer
      await this.#reply(this.#refusal(request.id, `Warden could not write the audit record for this call (${errorMessage(error)}), so it was not forwarded. Check the disk and the data directory's permissions.`));
      return;
    }

    if (this.#inflight.get(request.id) !== entry) {
      // Ended while it was decided or recorded (the session closed): answered then; on record once.
      this.#record(entry, { status: 'error', errorMessage: 'the session ended before the call was forwarded' });
      return;
    }

    if (entry.cancelled) {
      // The client cancelled while the call was held: it expects no answer.
      this.#settle(request.id);
      this.#record(entry, cancelledOutcome(entry));
      return;
    }

    if (decision.effect === 'deny') {
      this.#inflight.delete(request.id);
      await this.#reply(this.#refusal(request.id, denialText(call, decision)));
      this.#record(entry, { status: decision.status ?? 'denied' });
      return;
    }
    await this.#forward(request);
  }

  #channel(requestId: RequestId, call: ToolCall): WaitingChannel {
    let progress = 0;
    const channel: WaitingChannel = {
      progress: (message) => {
        if (call.progressToken === undefined || this.#closed) return;
        progress += 1;
        void this.#reply({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: call.progressToken, progress, message } }, requestId);
      },
    };
    if (this.#clientCapabilities.elicitation) {
      channel.elicit = async (message, requestedSchema) => {
        const response = await this.#requestUpstream('elicitation/create', { message, requestedSchema }, requestId, call.signal);
        if (isErrorResponse(response)) throw new Error(response.error.message);
        return (response as unknown as { result: { action: string; content?: Record<string, unknown> } }).result;
      };
    }
    return channel;
  }

  #refusal(id: RequestId, text: string): JSONRPCMessage {
    return { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }], isError: true } };
  }

  #track(request: JSONRPCRequest, method: string): Inflight {
    const progressToken = (request.params as { _meta?: { progressToken?: ProgressToken } } | undefined)?._meta?.progressToken;
    const entry: Inflight = { method, progressToken, forwarded: false };
    this.#inflight.set(request.id, entry);
    if (progressToken !== undefined) this.#progressOwner.set(progressToken, request.id);
    return entry;
  }

  async #forward(request: JSONRPCRequest): Promise<void> {
    const entry = this.#inflight.get(request.id);
    try {
      await this.#ensureDownstream({ replay: true });
      if (entry && this.#inflight.get(request.id) !== entry) return; // ended meanwhile (the session closed)
      if (entry?.cancelled) {
        // Cancelled while the server (re)started: it never sees the request.
        this.#settle(request.id);
        this.#record(entry, cancelledOutcome(entry));
        return;
      }
      if (entry) entry.forwarded = true;
      await this.#sendDownstream(request);
    } catch (error) {
      // Answered already when the failed send also lost the connection (#lost answers every forwarded
      // call): one answer, and one outcome on record, per call.
      if (!this.#settle(request.id)) return;
      if (entry?.cancelled) {
        // The client cancelled it while the server restarted, and the restart failed: it expects no answer.
        this.#record(entry, cancelledOutcome(entry));
        return;
      }
      const code = error instanceof WardenError ? error.code : 'server_crashed';
      await this.#reply(rpcError(request.id, ErrorCode.InternalError, errorMessage(error), code));
      if (entry) this.#record(entry, { status: 'error', errorMessage: errorMessage(error) });
    }
  }

  /**
   * Policy changed what this client may see (a tier, an override, a managed rule): tell it to list the
   * tools again, the way the server itself would, when the server declared that notification.
   */
  toolsChanged(): void {
    if (this.#closed || !this.#toolsListChanged || !this.#initializedSent) return;
    void this.#reply({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
  }

  // ---- server → client ----------------------------------------------------------------------------

  #fromServer(message: JSONRPCMessage): void {
    if (this.#closed) return;
    if (isRequest(message) && typeof message.id === 'string' && message.id.startsWith(WARDEN_ID_PREFIX)) {
      // Warden's own questions to the client (an approval asked by elicitation) carry these ids: the
      // client's answer to a server's request under one would be taken as the answer to Warden's.
      this.deps.logger.warn('server.reserved_id', { server: this.deps.server.name, method: message.method });
      void this.#sendDownstream(rpcError(message.id, ErrorCode.InvalidRequest, `Invalid Request: request ids starting with \`${WARDEN_ID_PREFIX}\` are Warden's own; the client was not asked. Use another id.`, 'bad_input')).catch(() => undefined);
      return;
    }
    if (isResponse(message)) {
      if (message.id === undefined) return;
      const own = this.#takePending(message.id, 'server');
      if (own) return own.resolve(message);
      if (this.#answerOwed.delete(message.id)) return; // the late answer to a cancelled call: not heard
      // An answer to a request that already ended (crash reply, cancellation), or to one the server was
      // never sent (a call held for a decision): not heard.
      if (!this.#inflight.get(message.id)?.forwarded) return;
      const entry = this.#settle(message.id)!;
      void this.#answer(message, entry);
      return;
    }
    if (isNotification(message) && message.method === 'notifications/progress') {
      const token = (message.params as { progressToken?: ProgressToken } | undefined)?.progressToken;
      const owner = token === undefined ? undefined : this.#progressOwner.get(token);
      void this.#reply(message, owner);
      return;
    }
    // Requests (sampling, elicitation, roots, ping) and other notifications: relate them to the latest
    // call still open, as the server most likely sent them while working on it.
    void this.#reply(message, this.#latestForwarded());
  }

  async #answer(message: JSONRPCMessage, entry: Inflight): Promise<void> {
    try {
      if (entry.method === 'initialize' && isResult(message)) {
        const result = message.result as { protocolVersion?: string; capabilities?: { tools?: { listChanged?: boolean } } };
        if (result.protocolVersion) this.#downstream?.setProtocolVersion(result.protocolVersion);
        this.#toolsListChanged = result.capabilities?.tools?.listChanged === true;
      }
      if (entry.method === 'tools/list' && isResult(message)) {
        message = { ...message, result: { ...message.result, tools: await this.#seeTools(message.result.tools) } };
      }
    } catch (error) {
      // An answer Warden cannot read fails that request alone: never the engine (an unhandled
      // rejection would end it, and every session with it), and never passed on unread.
      this.deps.logger.error('server.answer_unreadable', { server: this.deps.server.name, method: entry.method, message: errorMessage(error) });
      const id = (message as { id: RequestId }).id;
      message = rpcError(id, ErrorCode.InternalError, `Server \`${this.deps.server.name}\` sent an answer to ${entry.method} that Warden could not read (${errorMessage(error)}).`, 'server_crashed');
    }
    // The answer goes out first (its bytes are written before #reply's first await); the outcome record,
    // which nothing waits for, is made after it, off the call's path.
    const replied = this.#reply(message);
    if (entry.call && entry.decision) {
      const failed = isErrorResponse(message) || (message as { result?: { isError?: boolean } }).result?.isError === true;
      this.#record(entry, {
        status: failed ? 'error' : 'ok',
        result: isResult(message) ? message.result : undefined,
        errorMessage: isErrorResponse(message) ? message.error.message : undefined,
      });
    }
    await replied;
  }

  /** Records every listed definition, lets the decision point see (and filter) the list. */
  async #seeTools(tools: unknown): Promise<Tool[]> {
    // Entries without a name are dropped here, before anything reads one.
    const list = Array.isArray(tools) ? tools.filter(isNamedTool) : [];
    for (const tool of list) this.#tools.set(tool.name, tool);
    try {
      return await this.deps.decisions.listTools(this.deps.server.name, this.deps.client, list);
    } catch (error) {
      // Fail closed: if the decision point cannot look at the list, the client sees no tools.
      this.deps.logger.error('tools.list_check_failed', { server: this.deps.server.name, message: errorMessage(error) });
      return [];
    }
  }

  /** Asks the server for its tools (all pages) when a call names a tool this session has not listed. */
  async #learnTools(): Promise<void> {
    // Not to a server still replaying the client's initialize (a restart): after it, as calls go.
    await this.#starting?.catch(() => undefined);
    let cursor: string | undefined;
    do {
      const response = await this.#requestDownstream('tools/list', cursor ? { cursor } : {});
      if (isErrorResponse(response)) throw new Error(response.error.message);
      const result = (response as { result: { tools?: unknown; nextCursor?: string } }).result;
      await this.#seeTools(result.tools);
      cursor = result.nextCursor;
    } while (cursor);
  }

  #latestForwarded(): RequestId | undefined {
    let latest: RequestId | undefined;
    for (const [id, entry] of this.#inflight) if (entry.forwarded) latest = id;
    return latest;
  }

  // ---- downstream lifecycle -----------------------------------------------------------------------

  async #ensureDownstream({ replay }: { replay: boolean }): Promise<Downstream> {
    if (this.#closed) throw new WardenError('server_crashed', 'The session is closed.');
    // A restart sets the connection before it replays the client's initialize: calls wait for the start.
    if (this.#downstream && !this.#starting) return this.#downstream;
    if (!this.#starting) {
      this.#starting = this.#start(replay).finally(() => {
        this.#starting = undefined;
      });
    }
    return this.#starting;
  }

  async #start(replay: boolean): Promise<Downstream> {
    const { runtime, server } = this.deps;
    await runtime.beforeRestart();
    runtime.starting();
    const events = {
      message: (message: JSONRPCMessage) => this.#fromServer(message),
      lost: (reason: string) => this.#lost(downstream, reason),
      stderr: (chunk: string) => {
        // Not in the engine log: a server may print the arguments it was given.
        for (const line of runtime.stderr.push(chunk)) this.deps.stderrLog?.info('server.stderr', { server: server.name, line });
      },
    };
    const spare = replay || !this.deps.warmSpares ? undefined : runtime.takeSpare(server);
    const downstream = spare ?? new Downstream(server, events, this.deps.resolveSecret);
    if (spare) spare.adopt(events);
    else {
      try {
        await downstream.start();
      } catch (error) {
        runtime.failed(errorMessage(error));
        throw error;
      }
    }
    if (this.#closed) {
      // The session ended while its server started (a backoff, a keychain lookup, the spawn): no one
      // would close this process.
      void downstream.close();
      runtime.abandoned();
      throw new WardenError('server_crashed', 'The session is closed.');
    }
    this.#downstream = downstream;
    if (this.deps.warmSpares) runtime.warmSpareSoon(server, this.deps.resolveSecret);
    if (replay && this.#initializeRequest) {
      // A restart after a crash: the client already initialized, so Warden does it again on its behalf.
      // Either step failing leaves no half-started server: the next call starts it again.
      const gaveUp = (error: unknown): never => {
        void downstream.close();
        if (this.#downstream === downstream) this.#downstream = undefined;
        // Warden's own requests sent on it meanwhile (a tools/list before a decision) get no answer now.
        for (const pending of [...this.#pending.values()]) if (pending.asked === 'server') pending.reject(new WardenError('server_start_failed', errorMessage(error)));
        if (this.#closed) runtime.abandoned(); // the session ended, not the server
        else runtime.failed(errorMessage(error));
        throw new WardenError('server_start_failed', `Server \`${server.name}\` restarted but did not initialize: ${errorMessage(error)}`);
      };
      const response = await this.#requestDownstream('initialize', this.#initializeRequest.params ?? {}, REPLAY_TIMEOUT_MS).catch(gaveUp);
      const version = (response as { result?: { protocolVersion?: string } }).result?.protocolVersion;
      if (version) downstream.setProtocolVersion(version);
      if (this.#initializedSent) await downstream.send({ jsonrpc: '2.0', method: 'notifications/initialized' }).catch(gaveUp);
    }
    runtime.started();
    this.deps.logger.info('server.started', { server: server.name, pid: downstream.pid, session: this.id, replay, spare: Boolean(spare) });
    return downstream;
  }

  #lost(downstream: Downstream, reason: string): void {
    if (this.#downstream !== downstream || this.#closed) return;
    this.#downstream = undefined;
    this.#answerOwed.clear(); // a process that ended answers nothing more
    this.deps.runtime.crashed(reason);
    const message = `Server \`${this.deps.server.name}\` stopped during the call (${reason}). Warden will restart it on the next call.`;
    for (const [id, entry] of [...this.#inflight]) {
      if (!entry.forwarded) continue;
      this.#settle(id);
      void this.#reply(rpcError(id, ErrorCode.InternalError, message, 'server_crashed'));
      this.#record(entry, { status: 'error', errorMessage: message });
    }
    for (const [id, pending] of [...this.#pending]) {
      this.#pending.delete(id);
      pending.reject(new WardenError('server_crashed', message));
    }
  }

  // ---- plumbing -----------------------------------------------------------------------------------

  async #sendDownstream(message: JSONRPCMessage): Promise<void> {
    const downstream = this.#downstream;
    if (!downstream) throw new WardenError('server_crashed', `Server \`${this.deps.server.name}\` is not running.`);
    await downstream.send(message);
  }

  async #requestDownstream(method: string, params: Record<string, unknown>, timeoutMs = REPLAY_TIMEOUT_MS): Promise<JSONRPCMessage> {
    const id = `${WARDEN_ID_PREFIX}${this.#nextId++}`;
    const answer = this.#awaitAnswer(id, 'server', timeoutMs);
    // Heard from the start: a send that fails can lose the connection (rejecting this wait) before the
    // send's own error reaches this function, and nothing would listen then. An unhandled rejection
    // ends the engine's process.
    answer.catch(() => undefined);
    try {
      await this.#sendDownstream({ jsonrpc: '2.0', id, method, params });
    } catch (error) {
      // Never sent: nothing will answer it, so its wait (and timer) ends here.
      this.#pending.get(id)?.reject(error as Error);
      throw error;
    }
    return answer;
  }

  async #requestUpstream(method: string, params: Record<string, unknown>, related: RequestId, signal: AbortSignal): Promise<JSONRPCMessage> {
    const id = `${WARDEN_ID_PREFIX}${this.#nextId++}`;
    const answer = this.#awaitAnswer(id, 'client', 0, signal);
    // Heard from the start: a cancel, a crash or the close can reject it while the question is written.
    answer.catch(() => undefined);
    await this.#reply({ jsonrpc: '2.0', id, method, params }, related);
    return answer;
  }

  #awaitAnswer(id: string, asked: Pending['asked'], timeoutMs: number, signal?: AbortSignal): Promise<JSONRPCMessage> {
    return new Promise<JSONRPCMessage>((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => done(() => reject(new Error(`no answer within ${timeoutMs} ms`))), timeoutMs) : undefined;
      const onAbort = () => done(() => reject(new Error('cancelled')));
      const done = (fn: () => void) => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
        fn();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, { asked, resolve: (m) => done(() => resolve(m)), reject: (e) => done(() => reject(e)) });
    });
  }

  #takePending(id: RequestId, from: Pending['asked']): Pending | undefined {
    const pending = typeof id === 'string' && id.startsWith(WARDEN_ID_PREFIX) ? this.#pending.get(id) : undefined;
    return pending?.asked === from ? pending : undefined;
  }

  #owe(id: RequestId): void {
    this.#answerOwed.add(id);
    if (this.#answerOwed.size > MAX_CANCELLED_IDS) this.#answerOwed.delete(this.#answerOwed.values().next().value!);
  }

  #settle(id: RequestId): Inflight | undefined {
    const entry = this.#inflight.get(id);
    if (!entry) return undefined;
    this.#inflight.delete(id);
    if (entry.progressToken !== undefined) this.#progressOwner.delete(entry.progressToken);
    return entry;
  }

  async #reply(message: JSONRPCMessage, relatedRequestId?: RequestId): Promise<void> {
    try {
      await this.deps.upstream.send(message, relatedRequestId);
    } catch (error) {
      if (relatedRequestId !== undefined && !('id' in message && ('result' in message || 'error' in message))) {
        // The related request's stream is gone: fall back to the session's standalone stream.
        await this.deps.upstream.send(message).catch(() => undefined);
        return;
      }
      this.deps.logger.warn('client.send_failed', { server: this.deps.server.name, message: errorMessage(error) });
    }
  }

  /** Puts a call's outcome on record, once, timed from its start: a call never decided has none yet. */
  #record(entry: Inflight, outcome: Omit<CallOutcome, 'durationMs'>): void {
    if (!entry.call || !entry.decision || entry.recorded) return;
    entry.recorded = true;
    void this.#finish(entry.call, entry.decision, { ...outcome, durationMs: Date.now() - entry.call.startedAt });
  }

  async #finish(call: ToolCall, decision: Decision, outcome: CallOutcome): Promise<void> {
    try {
      await this.deps.audit.finished(call, decision, outcome);
    } catch (error) {
      this.deps.logger.error('audit.outcome_failed', { server: call.server, tool: call.tool, callId: call.callId, message: errorMessage(error) });
    }
  }

  /** The client went away, or the engine stops: open calls are answered (fail closed), the downstream closed. */
  async close(reason = 'the session ended'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const message = `The call did not complete: ${reason}.`;
    for (const [id, entry] of [...this.#inflight]) {
      entry.controller?.abort();
      this.#settle(id);
      // Held calls were never forwarded; forwarded ones lose their server. Either way the client is told.
      await this.deps.upstream
        .send(entry.method === 'tools/call' && !entry.forwarded ? this.#refusal(id, `${message} It was not forwarded.`) : rpcError(id, ErrorCode.InternalError, message, 'engine_not_running'))
        .catch(() => undefined);
      this.#record(entry, { status: 'error', errorMessage: message });
    }
    for (const [id, pending] of [...this.#pending]) {
      this.#pending.delete(id);
      pending.reject(new Error(reason));
    }
    const downstream = this.#downstream;
    this.#downstream = undefined;
    await downstream?.close();
    this.deps.onClose?.();
  }
}

/**
 * Why a tools/call's arguments cannot be judged, if they cannot: they must be named values (an object)
 * or absent, and nest no deeper than the checks and the digest can walk (deeper than any real tool's
 * arguments; such a call used to fail as if the audit log could not be written).
 */
function argumentsProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `tools/call arguments must be an object of named values, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}`;
  }
  if (nestedDeeperThan(value, MAX_ARGUMENT_DEPTH)) return `tools/call arguments are nested deeper than ${MAX_ARGUMENT_DEPTH} levels`;
  return undefined;
}

/** What the model reads when a call is refused: who refused, why, and how to get it approved. */
export function denialText(call: ToolCall, decision: Decision): string {
  const who = decision.approver?.startsWith('user') ? 'The person using Warden denied' : decision.status === 'timeout' ? 'No one approved' : 'Warden policy denied';
  return [
    `${who} the call to tool \`${call.tool}\` on server \`${call.server}\` (rule ${decision.ruleId}).`,
    ...decision.reasons,
    // After a timeout the reasons say to retry once the person is there; a refusal by rule or by the person stands.
    // A call Warden could not check (no tool name, arguments that are no object) is fixed by the caller;
    // no approval or rule can let it through.
    ...(decision.status === 'timeout'
      ? []
      : decision.ruleId === 'gateway:check-failed'
        ? ['If the call itself is at fault (see above), fix it and send it again: no approval can let it through as it is.']
        : // The reasons above say who can change it, and how: a managed rule cannot be changed in Warden.
          ['Do not retry it, or reach the same result another way (other arguments, another tool), without asking the user first.']),
  ].join(' ');
}
