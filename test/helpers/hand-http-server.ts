// A hand-written Streamable HTTP MCP server for fault tests: one JSON body per request, session `s1`,
// GET and DELETE refused (405). `onMessage` sees every message the client POSTs and may answer it
// itself (and return true); what it leaves gets the ordinary answer: 202 for a notification, a server
// with tools for initialize, `tools` for tools/list, and a text result for anything else.
import { createServer, type ServerResponse } from 'node:http';

export interface HandMessage {
  id?: number | string;
  method: string;
  params?: { name?: string; [key: string]: unknown };
}

export interface HandReply {
  res: ServerResponse;
  /** A JSON-RPC result for this request, as one JSON body. */
  answer(result: unknown): void;
  /** An HTTP error status with a plain-text body. */
  fail(status: number, text: string): void;
}

export interface HandServer {
  url: string;
  /** Every method the client POSTed, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

export const INITIALIZE_RESULT = { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'hand', version: '1' } };

export async function handHttpServer(
  onMessage: (message: HandMessage, reply: HandReply) => boolean | void = () => false,
  tools: unknown[] = [],
): Promise<HandServer> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' || req.method === 'DELETE') return void res.writeHead(405).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const message = JSON.parse(body) as HandMessage;
      seen.push(message.method);
      const reply: HandReply = {
        res,
        answer: (result) => res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result })),
        fail: (status, text) => res.writeHead(status, { 'content-type': 'text/plain', 'mcp-session-id': 's1' }).end(text),
      };
      if (onMessage(message, reply) === true) return;
      if (message.id === undefined) return void res.writeHead(202, { 'mcp-session-id': 's1' }).end();
      if (message.method === 'initialize') return reply.answer(INITIALIZE_RESULT);
      if (message.method === 'tools/list') return reply.answer({ tools });
      reply.answer({ content: [{ type: 'text', text: `ran ${message.params?.name ?? message.method}` }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
