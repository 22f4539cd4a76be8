// `warden connect <server>` (or `--all`): a client launches this like any stdio MCP server. It carries each line of
// JSON-RPC between the client's stdio and the engine's local socket, unchanged. It never talks to the
// downstream server itself: without an engine, every request gets an MCP error saying why.
import { connect, type Socket } from 'node:net';

export interface BridgeOptions {
  /** The server to reach; absent: every server's tools, as on the aggregated endpoint /mcp (`--all`). */
  server?: string;
  token: string;
  /** Finds (or starts) the engine and returns its socket path; called again after the engine went away. */
  engineSocket(): Promise<string>;
  log(line: string): void;
}

type Id = string | number;
const INTERNAL_ERROR = -32603;
const REPLAY_ID = 'warden-bridge:replay';

/** What the bridge needs to know of a line; it forwards the line itself, not a re-serialisation. */
function peek(line: string): { id?: Id; method?: string; isResponse: boolean; cancels?: unknown } | undefined {
  try {
    const message = JSON.parse(line) as { id?: unknown; method?: unknown; result?: unknown; error?: unknown; params?: { requestId?: unknown } };
    const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : undefined;
    const method = typeof message.method === 'string' ? message.method : undefined;
    const cancels = method === 'notifications/cancelled' ? message.params?.requestId : undefined;
    return { id, method, isResponse: method === undefined && ('result' in message || 'error' in message), cancels };
  } catch {
    return undefined;
  }
}

/** Splits a stream into lines; a long line arriving in many chunks is joined once, not rescanned. */
function lines(onLine: (line: string) => void): (chunk: string) => void {
  let parts: string[] = [];
  return (chunk) => {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      parts.push(chunk.slice(start, nl));
      const line = parts.join('').replace(/\r$/, '');
      parts = [];
      start = nl + 1;
      if (line.trim()) onLine(line);
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  };
}

export class StdioBridge {
  /** Requests the client sent that have no answer yet, keyed by their JSON id. */
  readonly #pending = new Map<string, Id>();
  #socket?: Socket;
  #connecting?: Promise<Socket>;
  #initialize?: string;
  #initialized = false;
  /** Set when no engine can be reached: every request is answered with it. */
  #failure?: string;
  #closing = false;
  /** Client lines are handled one at a time, in order. */
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: BridgeOptions) {}

  async run(): Promise<void> {
    process.stdin.setEncoding('utf8');
    const onChunk = lines((line) => {
      this.#queue = this.#queue.then(() => this.#fromClient(line));
    });
    process.stdin.on('data', onChunk);
    await new Promise<void>((resolve) => process.stdin.once('end', resolve));
    await this.#queue;
    this.#closing = true;
    this.#socket?.end();
  }

  /** With no engine to reach, the bridge still answers: every request gets the same clear MCP error. */
  failClosed(reason: string): void {
    this.#failure = reason;
  }

  async #fromClient(line: string): Promise<void> {
    const info = peek(line);
    if (info?.method === 'initialize' && info.id !== undefined) this.#initialize = line;
    if (info?.method === 'notifications/initialized') this.#initialized = true;
    const isRequest = info?.method !== undefined && info.id !== undefined;
    if (this.#failure) {
      if (isRequest) this.#answerError(info!.id!, this.#failure);
      return;
    }
    if (isRequest) this.#pending.set(JSON.stringify(info!.id), info!.id!);
    // A cancelled request gets no answer (the client expects none): it is no longer waited for.
    if (info?.cancels !== undefined) this.#pending.delete(JSON.stringify(info.cancels));
    try {
      const socket = await this.#connect(info?.method === 'initialize');
      socket.write(line + '\n');
    } catch (error) {
      if (isRequest) {
        this.#pending.delete(JSON.stringify(info!.id));
        this.#answerError(info!.id!, (error as Error).message);
      }
    }
  }

  async #connect(isInitialize: boolean): Promise<Socket> {
    if (this.#socket) return this.#socket;
    this.#connecting ??= this.#open(!isInitialize && this.#initialize !== undefined).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** Opens the socket, does the handshake, and after an engine restart replays initialize. */
  async #open(replay: boolean): Promise<Socket> {
    const path = await this.options.engineSocket();
    const socket = connect(path);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (error) => reject(new Error(`Warden's engine is not reachable at ${path}: ${error.message}`)));
    });
    let handshake!: { resolve(): void; reject(error: Error): void };
    const ready = new Promise<void>((resolve, reject) => (handshake = { resolve, reject }));
    let greeted = false;
    let refused = false;
    let replaying = replay;
    socket.on(
      'data',
      lines((line) => {
        if (!greeted) {
          greeted = true;
          let reply: { warden?: unknown; message?: unknown } | undefined;
          try {
            reply = JSON.parse(line) as typeof reply;
          } catch {
            // not Warden's greeting: refused below
          }
          if (reply?.warden === 'ok') handshake.resolve();
          else {
            refused = true;
            handshake.reject(new Error(typeof reply?.message === 'string' ? reply.message : 'Warden refused the connection.'));
          }
          return;
        }
        if (refused) return; // what a refusing peer says after it never reaches the client
        const info = peek(line);
        if (replaying && info?.isResponse && info.id === REPLAY_ID) {
          replaying = false;
          return; // the client already has its initialize answer
        }
        if (info?.isResponse && info.id !== undefined) this.#pending.delete(JSON.stringify(info.id));
        process.stdout.write(line + '\n');
      }),
    );
    socket.on('error', (error) => this.options.log(`engine connection: ${error.message}`));
    socket.on('close', () => {
      // Closed before the engine greeted (it stopped, or is not Warden): the request waiting on this
      // connection gets the error, and the next one connects again.
      if (!greeted) handshake.reject(new Error(`Warden's engine at ${path} closed the connection before it answered.`));
      this.#lost(socket);
    });
    const target = this.options.server === undefined ? { all: true } : { server: this.options.server };
    socket.write(JSON.stringify({ warden: 'connect', ...target, token: this.options.token }) + '\n');
    try {
      await ready;
    } catch (error) {
      socket.destroy(); // a refused connection is not kept
      throw error;
    }
    if (replay && this.#initialize) {
      const init = JSON.parse(this.#initialize) as Record<string, unknown>;
      socket.write(JSON.stringify({ ...init, id: REPLAY_ID }) + '\n');
      if (this.#initialized) socket.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
      this.options.log('reconnected to the engine');
    }
    this.#socket = socket;
    return socket;
  }

  /** The engine went away: open requests are answered; the next message reconnects. */
  #lost(socket: Socket): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    if (this.#closing) return;
    for (const id of this.#pending.values()) {
      const who = this.options.server === undefined ? 'the server' : `server \`${this.options.server}\``;
      this.#answerError(id, `Warden stopped before ${who} answered. The call may or may not have run; check before retrying.`);
    }
    this.#pending.clear();
  }

  #answerError(id: Id, message: string): void {
    process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id, error: { code: INTERNAL_ERROR, message } }) + '\n');
  }
}
