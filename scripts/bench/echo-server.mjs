#!/usr/bin/env node
// A minimal MCP server over stdio with one tool, `echo`, answering in microseconds: the downstream of
// the throughput benchmark that measures Warden's own capacity (server-everything spends ~0.35 ms of
// CPU per echo, so on 2 cores eight of them cap any proxy in front of them). Not for tests of MCP
// behaviour: those use the real servers.
import { createInterface } from 'node:readline';

const out = [];
let flushing = false;
const send = (message) => {
  out.push(JSON.stringify(message));
  if (!flushing) {
    flushing = true;
    setImmediate(() => {
      flushing = false;
      process.stdout.write(out.join('\n') + '\n');
      out.length = 0;
    });
  }
};

const echo = { name: 'echo', description: 'Echoes back the input', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] }, annotations: { readOnlyHint: true } };

createInterface({ input: process.stdin }).on('line', (line) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  }
  if (message.id === undefined) return; // notifications
  const reply = (result) => send({ jsonrpc: '2.0', id: message.id, result });
  switch (message.method) {
    case 'initialize':
      return reply({ protocolVersion: message.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'echo-lite', version: '1.0.0' } });
    case 'ping':
      return reply({});
    case 'tools/list':
      return reply({ tools: [echo] });
    case 'tools/call':
      if (message.params?.name === 'echo') return reply({ content: [{ type: 'text', text: `Echo: ${message.params.arguments?.message}` }] });
      return send({ jsonrpc: '2.0', id: message.id, error: { code: -32602, message: `Unknown tool: ${message.params?.name}` } });
    default:
      return send({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: `Method not found: ${message.method}` } });
  }
});
