// Reading a request body up to a size limit, for the MCP endpoint and the admin API alike.
import type { IncomingMessage } from 'node:http';

/** The request body, or undefined once it passes `limit` (the rest is read and dropped). Plain events: an async iterator per request costs more here. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit && !over) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
      } else if (!over) chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}
