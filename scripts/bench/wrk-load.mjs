// Load from wrk (a C load generator, Debian package `wrk`) for the gateway benchmark: on 2 cores a Node
// load generator takes much of the CPU that the proxy under test needs, so its calls/s partly measure
// itself. Eight connections, one thread each, and each its own MCP session (initialized first); every
// answer is checked to be a 200 that carries the echo, and the run reports the ones that were not.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const wrkAvailable = () => spawnSync('wrk', ['--version']).error === undefined;

function post(url, headers, message, sessionId) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(message);
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(body), ...(sessionId ? { 'mcp-session-id': sessionId } : {}) },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve(res.headers['mcp-session-id']) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Ends a session as a careful client does (DELETE); a server that does not support it answers 405. */
function closeSession(url, headers, sessionId) {
  return new Promise((resolve) => {
    const req = request(url, { method: 'DELETE', headers: { ...headers, 'mcp-session-id': sessionId }, timeout: 5000 }, (res) => {
      res.resume();
      res.on('close', resolve);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', resolve); // a session that cannot be ended is left to the server's idle timeout
    req.end();
  });
}

/** Ends the sessions from openSessions. */
export async function closeSessions(url, headers, sessions) {
  await Promise.all(sessions.filter(Boolean).map((id) => closeSession(url, headers, id)));
}

async function openSession(url, headers) {
  const id = await post(url, headers, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'wrk', version: '1' } } });
  await post(url, headers, { jsonrpc: '2.0', method: 'notifications/initialized' }, id);
  return id;
}

const lua = (sessions, headers) => `
local sessions = {${sessions.map((s) => JSON.stringify(s)).join(', ')}}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("session", sessions[#threads])
end
function init(args)
  wrk.method = "POST"
${Object.entries({ ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }).map(([k, v]) => `  wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join('\n')}
  wrk.headers["mcp-session-id"] = session
  id = 0
  bad = 0
end
function request()
  id = id + 1
  return wrk.format(nil, nil, nil, '{"jsonrpc":"2.0","id":' .. id .. ',"method":"tools/call","params":{"name":"echo","arguments":{"message":"wrk"}}}')
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "Echo: wrk", 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("bad %d\\n", total))
end
`;

/**
 * Eight MCP sessions (initialized) on this Streamable HTTP endpoint, for wrkRate. It then waits a
 * second: Warden boots its spare server process a moment after a session takes one, and the load
 * should measure the calls alone, not that start.
 */
export async function openSessions(url, headers = {}) {
  const sessions = [];
  for (let i = 0; i < 8; i++) sessions.push(await openSession(url, headers));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return sessions;
}

/**
 * Calls per second from 8 wrk connections (each its own session) to this Streamable HTTP endpoint.
 * `sessions`: from openSessions, for the caller to close (after reading what it measures); without
 * them, eight are opened here and closed afterwards, so one run's sessions (and their server
 * processes) do not weigh on the next.
 */
export async function wrkRate(url, headers = {}, seconds = 6, sessions = undefined) {
  const own = sessions === undefined;
  sessions ??= await openSessions(url, headers);
  const dir = mkdtempSync(join(tmpdir(), 'warden-wrk-'));
  try {
    const script = join(dir, 'echo.lua');
    writeFileSync(script, lua(sessions, headers));
    const out = execFileSync('wrk', ['-t8', '-c8', `-d${seconds}s`, '-s', script, url], { encoding: 'utf8' });
    const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const bad = Number(/^bad (\d+)$/m.exec(out)?.[1] ?? NaN);
    const errors = /Socket errors: (.*)/.exec(out)?.[1];
    return { rate: Math.round(rate), bad, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (own) await closeSessions(url, headers, sessions);
  }
}
