// fetch for the HTTP transport to downstream servers, giving each request its own AbortSignal linked to
// the transport's. The SDK's StreamableHTTPClientTransport passes one long-lived signal to every request
// of a connection, and Node's fetch (undici) adds an abort listener to it per request that only garbage
// collection removes: over a long session to an HTTP server the engine gathered thousands of listeners
// and printed MaxListenersExceededWarning (measured: past 1,500 within 10,000 calls).
// Here the transport's signal holds one listener per request still open, and it goes when the request
// ends: when fetch fails, once a plain body is returned, or, for an event stream, when the stream ends
// or is cancelled (closing the transport must still end a stream it has open).
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export function ownSignalFetch(base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const shared = init?.signal;
    if (!shared || shared.aborted) return base(url, init);
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
    if (!response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      unlink();
      return response;
    }
    // An event stream: the link holds until the stream ends, errs or is cancelled by its reader.
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    response.body.pipeTo(writable).then(unlink, unlink);
    const linked = new Response(readable, { status: response.status, statusText: response.statusText, headers: response.headers });
    Object.defineProperty(linked, 'url', { value: response.url });
    return linked;
  };
}
