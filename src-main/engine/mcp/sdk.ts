// Everything Warden takes from @modelcontextprotocol/sdk (1.x) passes through this one module, so that
// moving to SDK v2 / a newer protocol revision is a change here, not across the engine.
import type { ChildProcess } from 'node:child_process';
export type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { StdioClientTransport, type StdioServerParameters } from '@modelcontextprotocol/sdk/client/stdio.js';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import {
  JSONRPCErrorResponseSchema,
  JSONRPCMessageSchema as MessageSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
  type JSONRPCMessage as Message,
} from '@modelcontextprotocol/sdk/types.js';
export { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
export type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
export type { Client } from '@modelcontextprotocol/sdk/client/index.js';

// Loaded on first use: the HTTP client transport (with its OAuth support) and the SDK's Client (with a
// JSON Schema validator) cost an idle engine several MB, and only HTTP servers and dry runs need them.
export async function loadStreamableHttpClientTransport() {
  return (await import('@modelcontextprotocol/sdk/client/streamableHttp.js')).StreamableHTTPClientTransport;
}

export async function loadClient() {
  return (await import('@modelcontextprotocol/sdk/client/index.js')).Client;
}
export {
  ErrorCode,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  JSONRPCMessageSchema,
} from '@modelcontextprotocol/sdk/types.js';
// Not the SDK's isJSONRPC* guards: they re-parse each message with zod; see ./kinds.ts.
export type {
  JSONRPCMessage,
  JSONRPCRequest,
  JSONRPCNotification,
  JSONRPCResultResponse,
  JSONRPCErrorResponse,
  RequestId,
  Tool,
  CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * The HTTP status of the SDK's StreamableHTTPError (an HTTP server answered a request with an error
 * status), or undefined for any other error. Told by its shape, not its class: importing the class would
 * load the HTTP client transport into every engine (see loadStreamableHttpClientTransport).
 */
export function httpErrorStatus(error: unknown): number | undefined {
  if (!(error instanceof Error) || !error.message.startsWith('Streamable HTTP error: ')) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 ? code : undefined;
}

/** A server wrote a line longer than the read limit: the SDK's transport closes the connection on it. */
export class ServerLineTooLong extends Error {
  constructor() {
    super(`the server wrote a line over ${STDIO_DEFAULT_MAX_BUFFER_SIZE / (1024 * 1024)} MB (ReadBuffer exceeded maximum size of ${STDIO_DEFAULT_MAX_BUFFER_SIZE} bytes)`);
  }
}

/**
 * A server's stdout split into JSON-RPC messages, like the SDK's ReadBuffer (same size limit), but a line
 * that comes in many pieces is joined once rather than copied again with each piece (a 9 MB line cost
 * the engine seconds of CPU that way), and each message is checked against the one schema its keys
 * name rather than against the union, which tries (and fails, building a zod error) each member before
 * the right one. The SDK's schemas are strict, so the same messages pass and fail; a message that fails
 * goes through the union for the SDK's own error.
 */
export class MessageLines {
  /** Bytes received and not yet read, in the pieces they came in: a long line is joined once, when whole. */
  #chunks: Buffer[] = [];
  #size = 0;
  /** How many of the held bytes are known to hold no newline. */
  #scanned = 0;

  append(chunk: Buffer): void {
    if (this.#size + chunk.length > STDIO_DEFAULT_MAX_BUFFER_SIZE) {
      this.clear();
      throw new ServerLineTooLong();
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  readMessage(): Message | null {
    let offset = 0;
    for (let i = 0; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i]!;
      const index = chunk.indexOf(10, Math.max(0, this.#scanned - offset));
      if (index !== -1) {
        const head = chunk.subarray(0, index);
        const bytes = i === 0 ? head : Buffer.concat([...this.#chunks.slice(0, i), head]);
        const rest = chunk.subarray(index + 1);
        this.#chunks = rest.length > 0 ? [rest, ...this.#chunks.slice(i + 1)] : this.#chunks.slice(i + 1);
        this.#size -= bytes.length + 1;
        this.#scanned = 0;
        return parseMessage(JSON.parse(bytes.toString('utf8').replace(/\r$/, '')));
      }
      offset += chunk.length;
    }
    this.#scanned = offset;
    return null;
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
    this.#scanned = 0;
  }
}

/** One parsed line of a server's output as a JSON-RPC message; throws what the SDK's parse throws. */
export function parseMessage(raw: unknown): Message {
  if (typeof raw === 'object' && raw !== null) {
    const schema =
      'method' in raw ? ('id' in raw ? JSONRPCRequestSchema : JSONRPCNotificationSchema) : 'result' in raw ? JSONRPCResultResponseSchema : 'error' in raw ? JSONRPCErrorResponseSchema : undefined;
    const parsed = schema?.safeParse(raw);
    if (parsed?.success) return parsed.data as Message;
  }
  return MessageSchema.parse(raw);
}

/** How long a server's output may stay open after its process exited, or its process run on after its output closed. */
const EXIT_GRACE_MS = 500;

/**
 * The SDK's stdio client transport with MessageLines in place of its read buffer (an SDK internal: when
 * absent, the SDK's own buffer stays). `onStuck` is told, once, EXIT_GRACE_MS after either end of the
 * server went while the other stayed, if the transport has not closed meanwhile; the SDK hears of an
 * end only when the process has exited and its output closed, so calls would wait for good:
 * - the process exited but its output stays open (something it started holds the pipe);
 * - the process closed its output but keeps running (it can never answer again).
 */
export function createStdioTransport(params: StdioServerParameters, onStuck?: (reason: string) => void): StdioClientTransport {
  const transport = new StdioClientTransport(params);
  const internals = transport as unknown as { _readBuffer?: unknown; _process?: ChildProcess };
  if (internals._readBuffer !== undefined) internals._readBuffer = new MessageLines();
  if (onStuck) {
    const start = transport.start.bind(transport);
    transport.start = async () => {
      await start();
      const child = internals._process;
      if (!child) return;
      const exited = () => child.exitCode !== null || child.signalCode !== null;
      // Told once, or not at all when the transport closes first.
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      child.once('close', () => {
        settled = true;
        timers.forEach(clearTimeout);
      });
      const after = (reason: () => string | undefined) => {
        // After the grace, one more turn of the event loop: if the loop was busy all that time, output
        // written meanwhile is read (in the poll phase) before this gives the server up (check phase).
        const timer = setTimeout(() => setImmediate(() => {
          const text = reason();
          if (settled || internals._process !== child || !text) return;
          settled = true;
          onStuck(text);
          // The process is gone and whatever holds its output is not ours to stop: letting go of our
          // end of the pipe ends the connection now, instead of when that process ends.
          if (exited()) child.stdout?.destroy();
        }), EXIT_GRACE_MS);
        timer.unref();
        timers.push(timer);
      };
      child.once('exit', (code, signal) => after(() => `the process exited (${signal ? `killed by ${signal}` : `exit code ${code}`}), and a process it started still holds its output`));
      child.stdout?.once('end', () => after(() => (exited() ? undefined : 'the process closed its output and kept running')));
    };
  }
  return transport;
}
