// `warden connect <server>`: a client launches this like any stdio MCP server. It carries every message
// between the client's stdio and the engine's Streamable HTTP endpoint for that server, unchanged. It
// never talks to the downstream server itself: without an engine, every request gets an MCP error.
import { errorMessage } from '../engine/errors.js';
import {
  ErrorCode,
  StdioServerTransport,
  StreamableHTTPClientTransport,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '../engine/mcp/sdk.js';

export interface BridgeOptions {
  server: string;
  token: string;
  /** Finds (or starts) the engine and returns its base URL; called again after the engine went away. */
  engineUrl(): Promise<string>;
  log(line: string): void;
}

/** Big enough that the engine, not the pipe, refuses an oversized message (with an answer). */
const STDIN_MAX_BUFFER = 64 * 1024 * 1024;

export class StdioBridge {
  readonly #stdio = new StdioServerTransport(process.stdin, process.stdout, { maxBufferSize: STDIN_MAX_BUFFER });
  #http?: StreamableHTTPClientTransport;
  #initialize?: JSONRPCRequest;
  #initialized = false;
  #reconnecting?: Promise<void>;
  #closed = false;

  constructor(private readonly options: BridgeOptions) {}

  async run(): Promise<void> {
    this.#stdio.onmessage = (message) => void this.#fromClient(message);
    this.#stdio.onerror = (error) => {
      // Bad JSON or a message that is not JSON-RPC: say so, keep the session.
      void this.#toClient({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: `Parse error: ${errorMessage(error).split('\n')[0]}` } } as unknown as JSONRPCMessage);
    };
    const closed = new Promise<void>((resolve) => {
      this.#stdio.onclose = () => resolve();
      process.stdin.on('end', () => resolve());
    });
    await this.#stdio.start();
    await closed;
    await this.close();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const http = this.#http;
    this.#http = undefined;
    if (http) {
      await http.terminateSession().catch(() => undefined);
      await http.close().catch(() => undefined);
    }
  }

  async #connect(): Promise<StreamableHTTPClientTransport> {
    if (this.#http) return this.#http;
    const base = await this.options.engineUrl();
    const http = new StreamableHTTPClientTransport(new URL(`/mcp/${encodeURIComponent(this.options.server)}`, base), {
      requestInit: { headers: { authorization: `Bearer ${this.options.token}` } },
    });
    http.onmessage = (message) => {
      if (isJSONRPCResultResponse(message) && this.#initialize && message.id === this.#initialize.id) {
        const version = (message.result as { protocolVersion?: string }).protocolVersion;
        if (version) http.setProtocolVersion(version);
      }
      void this.#toClient(message);
    };
    http.onerror = (error) => this.options.log(`engine stream: ${errorMessage(error)}`);
    await http.start();
    this.#http = http;
    return http;
  }

  async #fromClient(message: JSONRPCMessage): Promise<void> {
    if (isJSONRPCRequest(message) && message.method === 'initialize') this.#initialize = message;
    if (isJSONRPCNotification(message) && message.method === 'notifications/initialized') this.#initialized = true;
    try {
      await this.#send(message);
    } catch (error) {
      if (isJSONRPCRequest(message)) await this.#fail(message.id, error);
      else this.options.log(`could not forward ${'method' in message ? message.method : 'a response'}: ${errorMessage(error)}`);
    }
  }

  async #send(message: JSONRPCMessage): Promise<void> {
    await this.#reconnecting;
    const http = await this.#connect();
    try {
      await http.send(message);
    } catch (error) {
      // The engine restarted (session unknown) or went away: reconnect once, replay initialize, resend.
      if (!this.#recoverable(error) || !this.#initialize || (isJSONRPCRequest(message) && message.method === 'initialize')) throw error;
      await this.#reconnect();
      await this.#http!.send(message);
    }
  }

  #recoverable(error: unknown): boolean {
    const text = errorMessage(error);
    return /Session not found|fetch failed|ECONNREFUSED|socket hang up|other side closed/i.test(text);
  }

  async #reconnect(): Promise<void> {
    this.#reconnecting ??= (async () => {
      const old = this.#http;
      this.#http = undefined;
      await old?.close().catch(() => undefined);
      const http = await this.#connect();
      const replayId = `warden-bridge:${Date.now()}`;
      const answered = new Promise<void>((resolve, reject) => {
        const previous = http.onmessage;
        const timer = setTimeout(() => reject(new Error('the engine did not answer initialize')), 15_000);
        http.onmessage = (message: JSONRPCMessage) => {
          if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id === replayId) {
            clearTimeout(timer);
            http.onmessage = previous;
            if (isJSONRPCErrorResponse(message)) reject(new Error(message.error.message));
            else {
              const version = (message.result as { protocolVersion?: string }).protocolVersion;
              if (version) http.setProtocolVersion(version);
              resolve();
            }
            return;
          }
          previous?.(message);
        };
      });
      await http.send({ ...this.#initialize!, id: replayId });
      await answered;
      if (this.#initialized) await http.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      this.options.log('reconnected to the engine');
    })().finally(() => {
      this.#reconnecting = undefined;
    });
    return this.#reconnecting;
  }

  async #fail(id: RequestId, error: unknown): Promise<void> {
    const text = errorMessage(error);
    // The engine's JSON-RPC error body (unknown server, bad token, oversized message) is the clearest message.
    const inner = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
    const message = inner ? JSON.parse(`"${inner}"`) as string : `Warden could not pass the request to server \`${this.options.server}\`: ${text}`;
    await this.#toClient({ jsonrpc: '2.0', id, error: { code: ErrorCode.InternalError, message } });
  }

  async #toClient(message: JSONRPCMessage): Promise<void> {
    try {
      await this.#stdio.send(message);
    } catch (error) {
      this.options.log(`could not write to the client: ${errorMessage(error)}`);
    }
  }
}

/** With no engine to reach, the bridge still answers: every request gets the same clear MCP error. */
export async function runFailClosed(reason: string): Promise<void> {
  const stdio = new StdioServerTransport(process.stdin, process.stdout);
  stdio.onmessage = (message) => {
    if (isJSONRPCRequest(message)) {
      void stdio.send({ jsonrpc: '2.0', id: message.id, error: { code: ErrorCode.InternalError, message: reason, data: { code: 'engine_not_running' } } } as JSONRPCMessage);
    }
  };
  await new Promise<void>((resolve) => {
    stdio.onclose = () => resolve();
    process.stdin.on('end', () => resolve());
    void stdio.start();
  });
}
