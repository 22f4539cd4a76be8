// The web bridge transport: POST /api/<method> with the session cookie, events over /api/events (SSE).
import { ApiRequestError, type ConnectionState, type Transport, type TransportListener } from './transport.js';

const RETRY_MS = 3000;

export function createWebTransport(eventNames: readonly string[], base = new URL('../', window.location.href)): Transport {
  const listeners = new Set<TransportListener>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let source: EventSource | undefined;
  let state: ConnectionState = 'connecting';

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const l of connectionListeners) l(next);
  };

  const open = () => {
    if (source) return;
    source = new EventSource(new URL('api/events', base));
    source.onopen = () => setState('open');
    // Any error means the engine is not reachable now, also while EventSource retries on its own (it
    // stays CONNECTING then, and 'connecting' would show "Connecting…" forever after the engine stopped).
    // A stream it gave up on (CLOSED) is opened again a little later.
    source.onerror = () => {
      setState('lost');
      if (source?.readyState !== EventSource.CLOSED) return;
      source = undefined;
      setTimeout(open, RETRY_MS);
    };
    for (const name of eventNames) {
      source.addEventListener(name, (event) => {
        let data: unknown;
        try {
          data = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          return;
        }
        for (const l of listeners) l(name, data);
      });
    }
  };

  return {
    kind: 'web',
    async call(method, input) {
      let res: Response;
      try {
        res = await fetch(new URL(`api/${encodeURIComponent(method)}`, base), {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        throw new ApiRequestError('engine_unreachable', 'Warden’s engine does not answer. Is `warden serve` still running?');
      }
      const text = await res.text();
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        throw new ApiRequestError('bad_response', `${method}: the engine answered with something that is not JSON (HTTP ${res.status}).`);
      }
      if (!res.ok) {
        const err = body as { code?: string; message?: string } | undefined;
        throw new ApiRequestError(err?.code ?? `http_${res.status}`, err?.message ?? `${method} failed (HTTP ${res.status}).`);
      }
      // The engine's API route answers { result } (the same shape the CLI reads).
      return (body as { result?: unknown } | undefined)?.result;
    },
    subscribe(listener) {
      listeners.add(listener);
      open();
      return () => listeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      open();
      listener(state);
      return () => connectionListeners.delete(listener);
    },
  };
}
