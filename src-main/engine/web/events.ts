// Server-Sent Events: the contract's events (engine -> UI) as a text/event-stream, one named event each.
import type { ServerResponse } from 'node:http';

export type EventListener = (name: string, data: unknown) => void;
/** Subscribes to the engine's events; returns the unsubscribe function. */
export type EventSubscribe = (listener: EventListener) => () => void;

/** One event in the SSE wire format. Event names are plain words; data is one line of JSON. */
export function formatEvent(name: string, data: unknown): string {
  if (!/^[A-Za-z0-9._:-]+$/.test(name)) throw new Error(`event name ${JSON.stringify(name)} cannot be sent as SSE`);
  return `event: ${name}\ndata: ${JSON.stringify(data ?? null)}\n\n`;
}

export function openEventStream(
  res: ServerResponse,
  subscribe: EventSubscribe,
  options: { headers: Record<string, string>; heartbeatMs?: number; stillAllowed?: () => boolean },
): void {
  res.writeHead(200, {
    ...options.headers,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  // A first comment so that the browser's EventSource reports `open` at once.
  res.write(': warden events\n\n');
  const unsubscribe = subscribe((name, data) => {
    if (!res.writableEnded) res.write(formatEvent(name, data));
  });
  const heartbeat = setInterval(() => {
    if (options.stillAllowed && !options.stillAllowed()) return void res.end();
    if (!res.writableEnded) res.write(': keep-alive\n\n');
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();
  res.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
