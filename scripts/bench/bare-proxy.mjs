#!/usr/bin/env node
// The floor of the benchmark: the least a Node proxy of Warden's shape can cost on this machine. It
// carries Streamable HTTP POSTs to one stdio server process per session (newline-delimited JSON-RPC)
// and answers each request with a plain JSON body, and does nothing else: no token, no Origin check, no
// validation, no policy, no audit, no server-to-client requests, no error handling. Never a way to run
// servers: it exists so that `npm run bench` can tell how much of Warden's cost is the hop itself.
// Usage: bare-proxy.mjs <command> [args...]; prints its port on stdout.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { onLines } from './stdout-lines.mjs';

const [command, ...args] = process.argv.slice(2);
const sessions = new Map();

function openSession() {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const session = { id: randomUUID(), child, waiting: new Map() };
  onLines(child.stdout, (line) => {
    const id = JSON.parse(line).id;
    const res = session.waiting.get(id);
    if (!res) return; // the server's own notifications and requests: dropped
    session.waiting.delete(id);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(line), 'mcp-session-id': session.id });
    res.end(line);
  });
  sessions.set(session.id, session);
  return session;
}

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    const session = sessions.get(req.headers['mcp-session-id']);
    if (req.method === 'DELETE' && session) {
      session.child.kill();
      sessions.delete(session.id);
    }
    res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const message = JSON.parse(body);
    const session = sessions.get(req.headers['mcp-session-id']) ?? openSession();
    if (message.id === undefined) res.writeHead(202, { 'mcp-session-id': session.id }).end();
    else session.waiting.set(message.id, res);
    session.child.stdin.write(JSON.stringify(message) + '\n');
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => {
  for (const session of sessions.values()) session.child.kill();
  process.exit(0);
});
