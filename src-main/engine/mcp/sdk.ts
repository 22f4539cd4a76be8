// Everything Warden takes from @modelcontextprotocol/sdk (1.x) passes through this one module, so that
// moving to SDK v2 / a newer protocol revision is a change here, not across the engine.
export type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
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
