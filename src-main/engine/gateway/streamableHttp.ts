// The server side of one client's Streamable HTTP session (MCP transport spec): POST carries the
// client's messages and answers requests on an SSE stream per POST, or as one JSON body when the answer
// is the first and only thing to send (the spec lets the server pick; a plain JSON body costs the client
// much less than an event stream); GET opens the session's standalone SSE stream; DELETE ends the session. It implements the SDK's Transport interface, like the SDK's own
// StreamableHTTPServerTransport, but writes to Node's response directly: the SDK's Node transport goes
// through a Web Request/Response adapter on every call, which cost about half of Warden's added CPU
// per call (measured). No resumability (no event store), as with the SDK transport without one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import { isNotification, isRequest, isResponse } from '../mcp/kinds.js';
import { ErrorCode, JSONRPCMessageSchema, type JSONRPCMessage, type RequestId, type Transport } from '../mcp/sdk.js';

const KEEPALIVE_MS = 15_000;
/**
 * A POST whose answer takes longer than this gets its event stream opened (headers sent) even with
 * nothing to say yet: a call held for approval can wait minutes, and HTTP clients give up on a response
 * whose headers do not come (undici: after 300 s).
 */
const STREAM_AFTER_MS = 5_000;

/** One POST's response: unopened until the first message decides between a JSON body and an event stream. */
interface PostStream {
  res: ServerResponse;
  open: Set<RequestId>;
  /** The event stream's headers are sent. */
  streaming: boolean;
  timer?: NodeJS.Timeout;
}

type SendOptions = { relatedRequestId?: RequestId };

/**
 * One JSON body with its length: the head and body leave in one write, and the client reads a known
 * length instead of chunked framing.
 */
function endJson(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function jsonError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  endJson(res, status, JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }), headers);
}

function accepts(req: IncomingMessage, type: string): boolean {
  return (req.headers.accept ?? '').split(',').some((part) => {
    const media = part.split(';')[0]!.trim();
    return media === type || media === '*/*';
  });
}

export class StreamableHttpSession implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** A request's POST ended before its answer was sent: the client can no longer hear it. */
  onabandoned?: (id: RequestId) => void;
  #initialized = false;
  #closed = false;
  /** The open SSE response of each request still waiting for its answer. */
  readonly #streams = new Map<RequestId, PostStream>();
  #standalone?: ServerResponse;
  #keepalive?: NodeJS.Timeout;
  /** When the client last sent a request or a stream of this session ended (Date.now()). */
  #lastActive = Date.now();

  constructor(
    readonly sessionId: string,
    private readonly maxBodyBytes: number,
  ) {}

  get initialized(): boolean {
    return this.#initialized;
  }

  async start(): Promise<void> {}

  /**
   * Since when nothing of this session is open (no POST waiting for its answer, no standalone stream)
   * and the client sent nothing; undefined while something is open.
   */
  idleSince(): number | undefined {
    if (this.#streams.size > 0 || (this.#standalone && !this.#standalone.writableEnded)) return undefined;
    return this.#lastActive;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#lastActive = Date.now();
    if (req.method === 'POST') return this.#post(req, res);
    if (req.method === 'GET') return this.#get(req, res);
    if (req.method === 'DELETE') {
      res.writeHead(200).end();
      await this.close();
      return;
    }
    jsonError(res, 405, ErrorCode.ConnectionClosed, 'Method not allowed.', { allow: 'GET, POST, DELETE' });
  }

  async #post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!accepts(req, 'application/json') || !accepts(req, 'text/event-stream')) {
      return jsonError(res, 406, ErrorCode.ConnectionClosed, 'Not Acceptable: the client must accept both application/json and text/event-stream.');
    }
    if (!(req.headers['content-type'] ?? '').includes('application/json')) {
      return jsonError(res, 415, ErrorCode.ConnectionClosed, 'Unsupported Media Type: Content-Type must be application/json.');
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.maxBodyBytes) return jsonError(res, 413, ErrorCode.InvalidRequest, `Message too large: over ${this.maxBodyBytes} bytes.`);
    const body = await readBody(req, this.maxBodyBytes);
    if (body === undefined) return jsonError(res, 413, ErrorCode.InvalidRequest, `Message too large: over ${this.maxBodyBytes} bytes.`);
    // The session ended while the body was on its way: nothing would ever answer it.
    if (this.#closed) return jsonError(res, 404, ErrorCode.ConnectionClosed, 'Session not found: it ended while this request arrived. Start a new session with initialize.');
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return jsonError(res, 400, ErrorCode.ParseError, `Parse error: ${(error as Error).message}`);
    }
    if (Array.isArray(raw) && raw.length === 0) return jsonError(res, 400, ErrorCode.InvalidRequest, 'Invalid Request: an empty batch.');
    const messages: JSONRPCMessage[] = [];
    for (const item of Array.isArray(raw) ? raw : [raw]) {
      const parsed = JSONRPCMessageSchema.safeParse(item);
      if (!parsed.success) return jsonError(res, 400, ErrorCode.InvalidRequest, 'Invalid Request: not a JSON-RPC 2.0 message.');
      messages.push(parsed.data);
    }
    const initialize = messages.some((m) => isRequest(m) && m.method === 'initialize');
    if (initialize) {
      if (this.#initialized) return jsonError(res, 400, ErrorCode.InvalidRequest, 'Invalid Request: the session is already initialized.');
      if (messages.length > 1) return jsonError(res, 400, ErrorCode.InvalidRequest, 'Invalid Request: initialize must be sent alone.');
      this.#initialized = true;
    } else if (!this.#initialized) {
      return jsonError(res, 400, ErrorCode.ConnectionClosed, 'Bad Request: the session is not initialized.');
    }

    const requests = messages.filter(isRequest);
    // An id still open would take over the open request's stream: its answer would go to this POST
    // and the first POST would never be answered. Refused whole, before anything is read by the session.
    const ids = requests.length > 1 ? new Set<RequestId>() : undefined;
    for (const request of requests) {
      if (this.#streams.has(request.id) || ids?.has(request.id)) {
        return jsonError(res, 400, ErrorCode.InvalidRequest, `Invalid Request: the request id ${JSON.stringify(request.id)} is already used by a request still open in this session. Use a new id for each request.`);
      }
      ids?.add(request.id);
    }
    if (requests.length === 0) {
      res.writeHead(202).end();
    } else {
      const stream: PostStream = { res, open: new Set<RequestId>(requests.map((r) => r.id)), streaming: false };
      // Only a single request can be answered with a JSON body; a batch gets its stream now.
      if (requests.length > 1) this.#startStream(stream);
      else stream.timer = setTimeout(() => this.#startStream(stream), STREAM_AFTER_MS).unref();
      for (const request of requests) this.#streams.set(request.id, stream);
      res.on('close', () => {
        this.#lastActive = Date.now();
        clearTimeout(stream.timer);
        for (const id of stream.open) {
          if (this.#streams.get(id) !== stream) continue;
          this.#streams.delete(id);
          // The client went away before the answer (no resumability: it can never get it).
          if (!this.#closed) this.onabandoned?.(id);
        }
      });
    }
    for (const message of messages) {
      this.onmessage?.(message);
      if (isNotification(message) && message.method === 'notifications/cancelled') this.#cancelled((message.params as { requestId?: RequestId } | undefined)?.requestId);
    }
  }

  /**
   * The client cancelled a request: it expects no answer now (and a server need not send one), so the
   * request's POST ends here, as an event stream with nothing on it, instead of staying open until the
   * session ends.
   */
  #cancelled(id: RequestId | undefined): void {
    const stream = id === undefined ? undefined : this.#streams.get(id);
    if (!stream) return;
    this.#streams.delete(id!);
    stream.open.delete(id!);
    if (stream.open.size > 0 || stream.res.writableEnded) return;
    this.#startStream(stream);
    stream.res.end();
  }

  #get(req: IncomingMessage, res: ServerResponse): void {
    if (!accepts(req, 'text/event-stream')) return jsonError(res, 406, ErrorCode.ConnectionClosed, 'Not Acceptable: the client must accept text/event-stream.');
    if (!this.#initialized) return jsonError(res, 400, ErrorCode.ConnectionClosed, 'Bad Request: the session is not initialized.');
    if (this.#standalone && !this.#standalone.writableEnded) return jsonError(res, 409, ErrorCode.ConnectionClosed, 'Conflict: only one standalone SSE stream is allowed per session.');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'mcp-session-id': this.sessionId });
    res.flushHeaders();
    this.#standalone = res;
    clearInterval(this.#keepalive);
    this.#keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    this.#keepalive.unref();
    res.on('close', () => {
      this.#lastActive = Date.now();
      if (this.#standalone === res) {
        this.#standalone = undefined;
        clearInterval(this.#keepalive);
      }
    });
  }

  #startStream(stream: PostStream): void {
    clearTimeout(stream.timer);
    if (stream.streaming || stream.res.writableEnded) return;
    stream.streaming = true;
    stream.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'mcp-session-id': this.sessionId });
    stream.res.flushHeaders();
  }

  async send(message: JSONRPCMessage, options?: SendOptions): Promise<void> {
    if (this.#closed) throw new Error('The session is closed.');
    const answer = isResponse(message);
    const key = answer ? (message as { id?: RequestId }).id : options?.relatedRequestId;
    const stream = key === undefined ? undefined : this.#streams.get(key);
    if (stream) {
      if (answer) {
        this.#streams.delete(key!);
        stream.open.delete(key!);
      }
      if (!stream.streaming && answer && stream.open.size === 0) {
        clearTimeout(stream.timer);
        endJson(stream.res, 200, JSON.stringify(message), { 'mcp-session-id': this.sessionId });
        return;
      }
      this.#startStream(stream);
      stream.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
      if (answer && stream.open.size === 0) stream.res.end();
      return;
    }
    if (answer || options?.relatedRequestId !== undefined) {
      // The client's stream for that request is gone (it disconnected, or the answer came too late).
      throw new Error(`No connection established for request ID: ${String(key)}`);
    }
    // Requests and notifications not tied to a request go on the standalone stream, when there is one.
    this.#standalone?.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    // Requests still waiting get an error the client can read, not an answer that never comes.
    for (const stream of new Set(this.#streams.values())) {
      const errors = [...stream.open].map((id) => JSON.stringify({ jsonrpc: '2.0', id, error: { code: ErrorCode.ConnectionClosed, message: 'The session ended before the server answered this request.' } }));
      clearTimeout(stream.timer);
      if (stream.res.writableEnded) continue;
      if (!stream.streaming && errors.length === 1) {
        endJson(stream.res, 200, errors[0]!, { 'mcp-session-id': this.sessionId });
        continue;
      }
      this.#startStream(stream);
      stream.res.end(errors.map((e) => `event: message\ndata: ${e}\n\n`).join(''));
    }
    this.#streams.clear();
    this.#standalone?.end();
    this.#standalone = undefined;
    this.onclose?.();
  }
}
