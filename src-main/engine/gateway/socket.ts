// The local socket `warden connect` uses: a Unix domain socket in the data directory (a named pipe on
// Windows), reachable by this user alone. One connection is one client session. The first line is a
// handshake with the client's token and the server name; after it, newline-delimited JSON-RPC flows
// both ways exactly as on stdio, so the bridge stays a thin pipe and adds almost nothing per call.
import { createHash } from 'node:crypto';
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WardenError, errorMessage } from '../errors.js';
import { ErrorCode, JSONRPCMessageSchema, type JSONRPCMessage } from '../mcp/sdk.js';
import type { DataPaths } from '../paths.js';
import type { TokenOwner, TokenStore } from './tokens.js';
import { MAX_BODY_BYTES, MAX_SESSIONS_PER_CLIENT } from './http.js';
import { clientIdOf } from './tokens.js';

export interface Handshake {
  warden: 'connect';
  /** The server of this session; or `all`: every server's tools, as on the aggregated endpoint /mcp. */
  server?: string;
  all?: true;
  token: string;
}

/** What the socket needs of a client session (one server's, or the aggregated one). */
interface SocketSession {
  fromClient(message: JSONRPCMessage): Promise<void>;
  close(reason?: string): Promise<void>;
}

export type HandshakeReply = { warden: 'ok' } | { warden: 'error'; code: string; message: string };

/** Unix socket paths are limited to about 100 bytes; a long data directory gets one in the temp dir. */
export function socketPath(paths: DataPaths, platform: NodeJS.Platform = process.platform): string {
  const hash = createHash('sha256').update(paths.dir).digest('hex').slice(0, 16);
  if (platform === 'win32') return `\\\\.\\pipe\\warden-${hash}`;
  const inDir = join(paths.dir, 'engine.sock');
  return Buffer.byteLength(inDir) <= 100 ? inDir : join(tmpdir(), `warden-${hash}.sock`);
}

/** The id of a message too large to parse, when it can be read from its start. */
function leadingId(text: string): string | number | null {
  const match = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")/.exec(text.slice(0, 512));
  if (!match) return null;
  return match[1]!.startsWith('"') ? (JSON.parse(match[1]!) as string) : Number(match[1]);
}

export interface SocketDeps {
  tokens: TokenStore;
  openSession(server: string, owner: TokenOwner, upstream: { send(message: JSONRPCMessage): Promise<void> }): SocketSession;
  /** The aggregated session (every server's tools as <server>__<tool>); absent: `all` is refused. */
  openAggregate?(owner: TokenOwner, upstream: { send(message: JSONRPCMessage): Promise<void> }): SocketSession;
  log(event: string, fields: Record<string, unknown>): void;
  /** Connections one client token may hold at once, each with its own server process (default MAX_SESSIONS_PER_CLIENT, as over HTTP). */
  maxSessionsPerClient?: number;
}

interface Connection {
  socket: Socket;
  session?: SocketSession;
  /** The client id of its token, once the handshake is done. */
  owner?: string;
}

export class GatewaySocket {
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #path = '';

  constructor(private readonly deps: SocketDeps) {
    this.#server = createServer((socket) => this.#accept(socket));
  }

  get path(): string {
    return this.#path;
  }

  async listen(path: string): Promise<void> {
    if (!path.startsWith('\\\\')) {
      try {
        unlinkSync(path); // left by an engine that died; the engine lock says no other engine runs
      } catch {
        /* none */
      }
    }
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(path, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    if (!path.startsWith('\\\\')) chmodSync(path, 0o600);
    this.#path = path;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.#connections].map(async (c) => {
        await c.session?.close('Warden is stopping');
        c.socket.end();
      }),
    );
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    socket.setNoDelay(true);
    const connection: Connection = { socket };
    this.#connections.add(connection);
    let parts: string[] = []; // the line being received, in chunks (joined once it is complete)
    let pending = 0; // its length so far
    let skipping = false; // discarding the rest of an oversized line
    const write = (value: unknown) =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.write(JSON.stringify(value) + '\n', () => resolve());
      });
    const rpcError = (id: string | number | null, code: number, message: string) => write({ jsonrpc: '2.0', id, error: { code, message } });

    const tooLarge = (text: string) => rpcError(leadingId(text), ErrorCode.InvalidRequest, `Message too large: over ${MAX_BODY_BYTES} bytes. Warden did not forward it.`);

    const onLine = (line: string) => {
      if (!line.trim()) return;
      if (!connection.session) return this.#handshake(connection, line, write);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        void rpcError(null, ErrorCode.ParseError, `Parse error: ${errorMessage(error)}`);
        return;
      }
      const message = JSONRPCMessageSchema.safeParse(parsed);
      if (!message.success) {
        const id = (parsed as { id?: unknown })?.id;
        void rpcError(typeof id === 'string' || typeof id === 'number' ? id : null, ErrorCode.InvalidRequest, 'Invalid request: not a JSON-RPC 2.0 message.');
        return;
      }
      void connection.session.fromClient(message.data);
    };

    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      let from = 0;
      let nl: number;
      while ((nl = chunk.indexOf('\n', from)) >= 0) {
        const piece = chunk.slice(from, nl);
        from = nl + 1;
        if (skipping) {
          skipping = false;
        } else if (pending + piece.length > MAX_BODY_BYTES) {
          void tooLarge(parts.length ? parts[0]! : piece);
        } else {
          parts.push(piece);
          onLine(parts.join(''));
        }
        parts = [];
        pending = 0;
      }
      if (from < chunk.length && !skipping) {
        const rest = chunk.slice(from);
        if (pending + rest.length > MAX_BODY_BYTES) {
          void tooLarge(parts.length ? parts[0]! : rest);
          skipping = true;
          parts = [];
          pending = 0;
        } else {
          parts.push(rest);
          pending += rest.length;
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#connections.delete(connection);
      void connection.session?.close('the client disconnected');
    });
  }

  #handshake(connection: Connection, line: string, write: (value: unknown) => Promise<void>): void {
    const refuse = (code: string, message: string) => {
      const reply: HandshakeReply = { warden: 'error', code, message };
      void write(reply).then(() => connection.socket.end());
    };
    let hello: Partial<Handshake>;
    try {
      hello = JSON.parse(line) as Partial<Handshake>;
    } catch {
      return refuse('bad_input', 'The first line must be the Warden handshake.');
    }
    const owner = this.deps.tokens.verify(typeof hello.token === 'string' ? hello.token : undefined);
    if (hello.warden !== 'connect' || !owner) return refuse('unauthorized', 'Unauthorized: a valid Warden client token is required.');
    // Each connection runs a server process: one token cannot start them without end. A connection is
    // a client that is running, so none is ended for room (over HTTP an idle session is).
    const id = clientIdOf(owner);
    const limit = this.deps.maxSessionsPerClient ?? MAX_SESSIONS_PER_CLIENT;
    let live = 0;
    for (const c of this.#connections) if (c.owner === id && c.session) live += 1;
    if (live >= limit) {
      return refuse('too_many_sessions', `Too many sessions: this client already has ${limit} connections open with Warden, each with its own server process. Close the clients it no longer uses before starting another.`);
    }
    const upstream = { send: (message: JSONRPCMessage) => write(message) };
    try {
      if (hello.all === true) {
        if (hello.server !== undefined) return refuse('bad_input', 'The handshake names a server and asks for all servers: one or the other.');
        if (!this.deps.openAggregate) return refuse('not_found', 'This engine does not serve all servers in one session; connect to one server.');
        connection.session = this.deps.openAggregate(owner, upstream);
      } else {
        connection.session = this.deps.openSession(String(hello.server ?? ''), owner, upstream);
      }
    } catch (error) {
      return refuse(error instanceof WardenError ? error.code : 'internal', errorMessage(error));
    }
    connection.owner = id;
    this.deps.log('socket.session', { server: hello.all === true ? '(all)' : hello.server, client: id });
    void write({ warden: 'ok' } satisfies HandshakeReply);
  }
}
