// The engine tells message kinds apart by their keys (mcp/kinds.ts) instead of re-parsing with the SDK's
// zod guards. For every message the SDK accepts, both must give the same answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  JSONRPCMessageSchema,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { isErrorResponse, isNotification, isRequest, isResponse, isResult } from '../../../src-main/engine/mcp/kinds.js';

const valid: unknown[] = [
  { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } },
  { jsonrpc: '2.0', id: 'warden:7', method: 'tools/list' },
  { jsonrpc: '2.0', id: 0, method: 'ping' },
  { jsonrpc: '2.0', id: 2, method: 'sampling/createMessage', params: { messages: [], maxTokens: 10, _meta: { progressToken: 'p' } } },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: 'x' } },
  { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1, total: 2 } },
  { jsonrpc: '2.0', id: 1, result: {} },
  { jsonrpc: '2.0', id: 'a', result: { content: [{ type: 'text', text: 'Echo: hi' }], isError: true } },
  { jsonrpc: '2.0', id: 3, result: { tools: [], nextCursor: 'c', _meta: {} } },
  { jsonrpc: '2.0', id: 4, error: { code: -32601, message: 'Method not found' } },
  { jsonrpc: '2.0', id: 'x', error: { code: -32000, message: 'boom', data: { code: 'server_crashed' } } },
  { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } },
];

test('every message the SDK accepts is classified as the SDK classifies it', () => {
  for (const raw of valid) {
    const parsed = JSONRPCMessageSchema.safeParse(raw);
    assert.ok(parsed.success, `the SDK accepts ${JSON.stringify(raw)}`);
    const message = parsed.data as JSONRPCMessage;
    const label = JSON.stringify(raw);
    assert.equal(isRequest(message), isJSONRPCRequest(message), `request: ${label}`);
    assert.equal(isNotification(message), isJSONRPCNotification(message), `notification: ${label}`);
    assert.equal(isResult(message), isJSONRPCResultResponse(message), `result: ${label}`);
    assert.equal(isErrorResponse(message), isJSONRPCErrorResponse(message), `error: ${label}`);
    assert.equal(isResponse(message), isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message), `response: ${label}`);
    assert.equal([isRequest, isNotification, isResult, isErrorResponse].filter((is) => is(message)).length, 1, `exactly one kind: ${label}`);
  }
});

test('the premise: the SDK refuses a message with the keys of two kinds or an unknown key, so keys tell the kind', () => {
  for (const raw of [
    { jsonrpc: '2.0', id: 1, method: 'tools/call', result: {} },
    { jsonrpc: '2.0', id: 1, method: 'tools/call', error: { code: 1, message: 'x' } },
    { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } },
    { jsonrpc: '2.0', method: 'notifications/initialized', result: {} },
    { jsonrpc: '2.0', id: 1, result: null },
    { jsonrpc: '2.0', id: 1, method: 'tools/call', extra: 1 },
  ]) {
    assert.equal(JSONRPCMessageSchema.safeParse(raw).success, false, `the SDK refuses ${JSON.stringify(raw)}`);
  }
});
