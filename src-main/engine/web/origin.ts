// Host and Origin checks for the browser bridge (DNS rebinding and cross-site requests). Pure.
// The engine listens on loopback only; a page is ours only when it was served from the same loopback
// host and port. Anything else (another port, a public name resolving to 127.0.0.1, `null`) is foreign.

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** The Host header values a request to this engine may carry. */
export function allowedHosts(port: number): string[] {
  return LOOPBACK_HOSTS.map((h) => `${h}:${port}`);
}

/** The Origin values a page served by this engine has. */
export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((h) => `http://${h}`);
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  return typeof host === 'string' && allowedHosts(port).includes(host.toLowerCase());
}

/**
 * A missing Origin is accepted only where `required` is false (same-origin GETs such as EventSource do not
 * send one). A present Origin must be one of ours, exactly.
 */
export function isAllowedOrigin(origin: string | undefined, port: number, required: boolean): boolean {
  if (origin === undefined || origin === '') return !required;
  return allowedOrigins(port).includes(origin.toLowerCase());
}
