// MCP sessions over Streamable HTTP opened by hand (initialize, then initialized; no standalone stream),
// for tests that look at the wire itself: what a POST gets back, what a malformed one gets.
import assert from 'node:assert/strict';
import { TokenStore } from '../../src-main/engine/gateway/tokens.js';
import { dataPaths } from '../../src-main/engine/paths.js';

/** The headers every POST of a client `clientId` carries: its token, JSON in, JSON or SSE out. */
export function rawHeaders(dataDir: string, clientId: string): Record<string, string> {
  const token = new TokenStore(dataPaths(dataDir)).clientToken(clientId);
  return { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` };
}

/** POSTs one JSON-RPC message (or a batch, as given) to `url` with these headers. */
export function rawPost(url: string, headers: Record<string, string>, message: Record<string, unknown> | unknown[]): Promise<Response> {
  const body = Array.isArray(message) ? message : { jsonrpc: '2.0', ...message };
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** A session opened on `url` (e.g. `<engine>/mcp/everything`): the headers of its later requests. */
export async function openRawSession(url: string, headers: Record<string, string>, clientName = 'raw'): Promise<Record<string, string>> {
  const init = await rawPost(url, headers, { id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: clientName, version: '1' } } });
  assert.equal(init.status, 200, await init.clone().text());
  await init.text();
  const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')! };
  assert.ok(session['mcp-session-id'], 'the initialize answer names the session');
  assert.equal((await rawPost(url, session, { method: 'notifications/initialized' })).status, 202);
  return session;
}
