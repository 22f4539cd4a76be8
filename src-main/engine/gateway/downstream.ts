// One connection to a downstream MCP server (a child process over stdio, or Streamable HTTP). It carries
// raw JSON-RPC messages; the session above it decides what they mean.
import { existsSync } from 'node:fs';
import { isAbsolute, join, delimiter } from 'node:path';
import type { ServerConfig } from '../../../shared/servers.js';
import { WardenError, errorMessage } from '../errors.js';
import { ownSignalFetch } from './own-signal-fetch.js';
import { ServerLineTooLong, StdioClientTransport, createStdioTransport, httpErrorStatus, loadStreamableHttpClientTransport, type JSONRPCMessage, type Transport } from '../mcp/sdk.js';

/** Turns secret references in a server's env/headers into values, when the server starts. */
export type SecretResolver = (account: string) => Promise<string>;

export interface DownstreamEvents {
  message(message: JSONRPCMessage): void;
  /** The connection ended without Warden asking it to (crash, exit, network). */
  lost(reason: string): void;
  stderr(chunk: string): void;
}

function onPath(command: string, env: Record<string, string | undefined>): boolean {
  if (isAbsolute(command) || command.includes('/') || command.includes('\\')) return existsSync(command);
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  return (env.PATH ?? env.Path ?? '').split(delimiter).some((dir) => dir && exts.some((ext) => existsSync(join(dir, command + ext))));
}

/** A server's env or headers with its secret references resolved (at start, or for a one-off connection). */
export async function resolveValues(values: Record<string, string | { secret: string }>, resolveSecret: SecretResolver | undefined, server: string) {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string') {
      out[key] = value;
      continue;
    }
    if (!resolveSecret) throw new WardenError('server_start_failed', `Server \`${server}\` needs the secret \`${value.secret}\` for ${key}, but no keychain is available.`);
    out[key] = await resolveSecret(value.secret);
  }
  return out;
}

/** How long closing an HTTP server's connection waits for the answer to its DELETE (session end). */
const TERMINATE_WAIT_MS = 2000;

/** The id of a warm spare's ping (warden: ids are the gateway's own; see session.ts). */
const WARM_UP_ID = 'warden:warm-up';

export class Downstream {
  #transport?: Transport;
  #closing = false;
  #lostReported = false;
  /** Messages that arrived before a session adopted this connection (a warm spare). */
  #early: JSONRPCMessage[] = [];

  constructor(
    readonly config: ServerConfig,
    private events: DownstreamEvents,
    private readonly resolveSecret?: SecretResolver,
  ) {}

  get alive(): boolean {
    return this.#transport !== undefined && !this.#closing;
  }

  /** Hands a started connection (a warm spare) to a session: from now on its events go there. */
  adopt(events: DownstreamEvents): void {
    this.events = events;
    const early = this.#early;
    this.#early = [];
    for (const message of early) events.message(message);
  }

  /** Before adoption, keep what the server says instead of dropping it (except the answer to warmUp). */
  static holding(stderr: (chunk: string) => void, lost: (reason: string) => void): DownstreamEvents & { held?: Downstream } {
    const events: DownstreamEvents & { held?: Downstream } = {
      message: (message) => {
        if ((message as { id?: unknown }).id === WARM_UP_ID && !('method' in message)) return;
        const held = events.held;
        if (held) held.#early.push(message);
      },
      lost,
      stderr,
    };
    return events;
  }

  get pid(): number | null {
    return this.#transport instanceof StdioClientTransport ? this.#transport.pid : null;
  }

  async start(): Promise<void> {
    const config = this.config;
    let transport: Transport;
    if (config.transport === 'stdio') {
      const env = await resolveValues(config.env, this.resolveSecret, config.name);
      const searchEnv = { ...process.env, ...env };
      if (!onPath(config.command, searchEnv)) {
        throw new WardenError(
          'server_start_failed',
          `Server \`${config.name}\` could not start: \`${config.command}\` not found${isAbsolute(config.command) ? '' : ' on PATH'}. Check its command (\`warden servers list\`, or Servers & tools → ${config.name}).`,
        );
      }
      const stdio = createStdioTransport({ command: config.command, args: config.args, env, cwd: config.cwd, stderr: 'pipe' }, (reason) => this.#lost(reason));
      // With stderr 'pipe' the SDK hands out its stream before the process starts.
      stdio.stderr?.on('data', (chunk: Buffer) => this.events.stderr(chunk.toString('utf8')));
      transport = stdio;
    } else {
      const headers = await resolveValues(config.headers, this.resolveSecret, config.name);
      const StreamableHTTPClientTransport = await loadStreamableHttpClientTransport();
      transport = new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers }, fetch: ownSignalFetch() });
    }
    // Once the connection is given up as lost, what still comes from it is not heard: the session may
    // have started another (an over-long line ends a stdio connection while its process still runs).
    transport.onmessage = (message) => {
      if (!this.#lostReported) this.events.message(message);
    };
    transport.onclose = () => this.#lost('the connection closed');
    transport.onerror = (error) => {
      // HTTP transports report failed requests here; stdio reports broken pipes and bad JSON. An
      // over-long line ends a stdio connection (the SDK closes it), but the process may take seconds to
      // exit: the session hears of it now, so the call waiting on it is answered at once.
      if (error instanceof ServerLineTooLong) return this.#lost(errorMessage(error));
      if (config.transport !== 'http') return;
      // A server error (5xx) or a rate limit (429) answering one request fails that request alone: its
      // send rejects and the session answers the client with it, as for a client connected directly,
      // while the server's session and the calls beside it go on. Anything else loses the connection
      // (the calls waiting on it are answered at once, the next call starts a new session): no answer,
      // a broken stream, a message that is not JSON-RPC, or a 3xx/4xx, which says the session is gone
      // (404, and the 400 many servers send for a session they no longer know) or not allowed.
      const status = httpErrorStatus(error);
      if (status !== undefined && (status >= 500 || status === 429)) return;
      this.#lost(errorMessage(error));
    };
    this.#transport = transport;
    try {
      await transport.start();
    } catch (error) {
      this.#closing = true;
      const what = config.transport === 'stdio' ? `\`${config.command}\`` : config.url;
      throw new WardenError('server_start_failed', `Server \`${config.name}\` could not start ${what}: ${errorMessage(error)}. Check its command (\`warden servers list\`, or Servers & tools → ${config.name}).`);
    }
  }

  /**
   * A warm spare's first request, before any session uses it: a ping (which MCP allows before
   * initialize). A server's first request is its slowest (code not yet compiled); this one makes the
   * client's initialize answer sooner. The answer is dropped: before adoption by holding(), after it by
   * the session (an id of Warden's own that it did not send).
   */
  warmUp(): void {
    this.#transport?.send({ jsonrpc: '2.0', id: WARM_UP_ID, method: 'ping' }).catch(() => undefined);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.#transport || this.#closing) throw new WardenError('server_crashed', `Server \`${this.config.name}\` is not connected.`);
    await this.#transport.send(message);
  }

  /** For HTTP servers: the negotiated protocol version goes into every later request's header. */
  setProtocolVersion(version: string): void {
    const t = this.#transport as { setProtocolVersion?: (v: string) => void } | undefined;
    t?.setProtocolVersion?.(version);
  }

  async close(): Promise<void> {
    this.#closing = true;
    const t = this.#transport;
    this.#transport = undefined;
    if (!t) return;
    const http = t as { terminateSession?: () => Promise<void> };
    if (this.config.transport === 'http' && http.terminateSession) {
      // Ending the server's session is a courtesy: a server that never answers the DELETE must not hold
      // a session's close (nor the engine's stop). Closing the transport then aborts the DELETE too.
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, TERMINATE_WAIT_MS)));
      await Promise.race([http.terminateSession().catch(() => undefined), waited]);
      clearTimeout(timer);
    }
    await t.close().catch(() => undefined);
  }

  #lost(reason: string): void {
    if (this.#closing || this.#lostReported) return;
    this.#lostReported = true;
    this.#closing = true;
    this.events.lost(reason);
    // Nothing closes a connection given up on an error (an HTTP transport keeps its streams open, and
    // may reconnect them); for a process already gone this does nothing.
    void this.#transport?.close().catch(() => undefined);
  }
}
