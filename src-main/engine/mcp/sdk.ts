// Everything Warden takes from @modelcontextprotocol/sdk (1.x) passes through this one module, so that
// moving to SDK v2 / a newer protocol revision is a change here, not across the engine.
export type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
export { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
export { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
export {
  ErrorCode,
  LATEST_PROTOCOL_VERSION,
  isJSONRPCRequest,
  isJSONRPCNotification,
  isJSONRPCResultResponse,
  isJSONRPCErrorResponse,
  JSONRPCMessageSchema,
} from '@modelcontextprotocol/sdk/types.js';
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
