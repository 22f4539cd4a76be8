// What kind of JSON-RPC message this is, for messages already validated where they entered the engine
// (JSONRPCMessageSchema on HTTP and on the local socket; the SDK's transports for servers) or built by
// Warden. The SDK's own isJSONRPC* guards parse the whole message with zod on every call, and a guard
// that answers "no" builds a zod error first: about a dozen of them ran per tool call (measured ~25 µs
// of CPU and much garbage). The SDK's schemas are strict, so a valid message has exactly one shape and
// its keys tell which.
import type { JSONRPCErrorResponse, JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, JSONRPCResultResponse } from './sdk.js';

type Fields = { id?: unknown; method?: unknown; result?: unknown; error?: unknown };

export function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  const m = message as Fields;
  return typeof m.method === 'string' && m.id !== undefined;
}

export function isNotification(message: JSONRPCMessage): message is JSONRPCNotification {
  const m = message as Fields;
  return typeof m.method === 'string' && m.id === undefined;
}

export function isResult(message: JSONRPCMessage): message is JSONRPCResultResponse {
  const m = message as Fields;
  return m.result !== undefined && m.method === undefined;
}

export function isErrorResponse(message: JSONRPCMessage): message is JSONRPCErrorResponse {
  const m = message as Fields;
  return m.error !== undefined && m.method === undefined;
}

/** An answer to a request: a result or an error. */
export function isResponse(message: JSONRPCMessage): message is JSONRPCResultResponse | JSONRPCErrorResponse {
  return isResult(message) || isErrorResponse(message);
}
