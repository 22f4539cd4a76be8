// The web bridge transport: POST /api/<method> and the event stream /api/events (Server-Sent Events,
// read with fetch), each with the tab's session secret in a header (shared/web-session.ts).
import { REDEEM_PATH, SESSION_HEADER } from '../../shared/web-session.js';
import { ApiRequestError, type ConnectionState, type Transport, type TransportListener } from './transport.js';

const RETRY_MS = 3000;
const STORAGE_KEY = 'warden.session';

/**
 * This tab's session secret. Opened from a launch link, the page takes the one-time token out of the
 * address bar at once (before anything reads the address) and spends it for a secret, which it keeps
 * in sessionStorage (this tab only, gone with it) so that a reload keeps the session. The secret is
 * never put in a URL: the browser's history would keep it.
 */
export function takeSession(base: URL): Promise<string | undefined> {
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token');
  const kept = () => sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  if (token === null) return Promise.resolve(kept());
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash || '#/'}`);
  return fetch(new URL(REDEEM_PATH.replace(/^\//, ''), base), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) })
    .then(async (res) => {
      const session = res.ok ? ((await res.json()) as { session?: unknown }).session : undefined;
      if (typeof session !== 'string') return kept(); // a spent link reloaded in a tab that has its session
      sessionStorage.setItem(STORAGE_KEY, session);
      return session;
    })
    .catch(() => kept());
}

/** One SSE block (`event:` and `data:` lines) as its name and parsed data, or undefined. */
function parseEvent(block: string): { name: string; data: unknown } | undefined {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0) return undefined;
  try {
    return { name, data: JSON.parse(data.join('\n')) };
  } catch {
    return undefined;
  }
}

export function createWebTransport(eventNames: readonly string[], base = new URL('../', window.location.href)): Transport {
  const listeners = new Set<TransportListener>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let streaming = false;
  let state: ConnectionState = 'connecting';
  let session: string | undefined;
  const ready = takeSession(base).then((s) => {
    session = s;
    if (!s) setState('signed-out');
  });

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const l of connectionListeners) l(next);
  };

  /** Reads the event stream until it ends; 'lost' after that, 'signed-out' when the session is refused. */
  const stream = async () => {
    let res: Response;
    try {
      res = await fetch(new URL('api/events', base), { headers: { [SESSION_HEADER]: session!, accept: 'text/event-stream' }, cache: 'no-store' });
    } catch {
      return setState('lost');
    }
    if (res.status === 401) return setState('signed-out');
    if (!res.ok || !res.body) return setState('lost');
    setState('open');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event && eventNames.includes(event.name)) for (const l of listeners) l(event.name, event.data);
        }
      }
    } catch {
      // the engine went away mid-stream
    }
    setState('lost');
  };

  const open = () => {
    if (streaming) return;
    streaming = true;
    void ready.then(() => {
      if (!session) {
        streaming = false;
        return;
      }
      startStream();
    });
  };

  const startStream = () => {
    void stream().finally(() => {
      streaming = false;
      // A stream that ended is opened again a little later (the engine may be back); a refused session is not.
      if (state !== 'signed-out') setTimeout(open, RETRY_MS);
    });
  };

  return {
    kind: 'web',
    async call(method, input) {
      await ready;
      if (!session) throw new ApiRequestError('unauthenticated', 'No Warden session in this tab: open the link that `warden serve` printed, or run `warden ui` for a new one.');
      let res: Response;
      try {
        res = await fetch(new URL(`api/${encodeURIComponent(method)}`, base), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', [SESSION_HEADER]: session },
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
        if (res.status === 401 && err?.code === 'unauthenticated') setState('signed-out');
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
