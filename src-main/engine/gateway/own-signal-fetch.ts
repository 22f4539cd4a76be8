// fetch for the HTTP transport to downstream servers, giving each request its own AbortSignal linked to
// the transport's. The SDK's StreamableHTTPClientTransport passes one long-lived signal to every request
// of a connection, and Node's fetch (undici) adds an abort listener to it per request that only garbage
// collection removes: over a long session to an HTTP server the engine gathered thousands of listeners
// and printed MaxListenersExceededWarning (measured: past 1,500 within 10,000 calls).
// Here the transport's signal holds one listener per request still open, and it goes when the request
// ends: when fetch fails, or when its body ends, errs or is cancelled by its reader (closing the
// transport must still end a body it is reading: an event stream left open, or an answer or an error's
// text the server stalls in the middle of). Listeners on the shared signal are bounded by the requests
// open at once, so it carries no listener limit (undici set its own to 1,500; Node's default of 10
// warned at the 11th call open at once).
import { setMaxListeners } from 'node:events';

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export function ownSignalFetch(base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const shared = init?.signal;
    if (!shared || shared.aborted) return base(url, init);
    setMaxListeners(0, shared);
    const own = new AbortController();
    const forward = () => own.abort(shared.reason);
    shared.addEventListener('abort', forward, { once: true });
    const unlink = () => shared.removeEventListener('abort', forward);
    let response: Response;
    try {
      response = await base(url, { ...init, signal: own.signal });
    } catch (error) {
      unlink();
      throw error;
    }
    if (!response.body) {
      unlink();
      return response;
    }
    // The link holds until the body ends, errs or is cancelled by its reader, error answers too: the SDK
    // reads an error's text before it fails the call, and a server that stalls that text half-way would
    // otherwise hold the call past the transport's close. (The SDK reads or cancels every body it gets,
    // so no link outlives its request.) A pulled stream, not a TransformStream and pipeTo: it costs a
    // JSON answer a fraction of their time, and keeps backpressure.
    const reader = response.body.getReader();
    const readable = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          let read: Awaited<ReturnType<typeof reader.read>>;
          try {
            read = await reader.read();
          } catch (error) {
            unlink();
            throw error;
          }
          if (read.done) {
            unlink();
            controller.close();
          } else controller.enqueue(read.value);
        },
        cancel(reason) {
          unlink();
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    const linked = new Response(readable, { status: response.status, statusText: response.statusText, headers: response.headers });
    Object.defineProperties(linked, { url: { value: response.url }, redirected: { value: response.redirected } });
    return linked;
  };
}
