// How the renderer reaches the engine. Two implementations: the desktop app's preload (IPC) and the
// web bridge (HTTP + Server-Sent Events). The client on top is the same for both.

/** A failure as every boundary carries it: a stable code and a sentence. */
export class ApiRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export type TransportListener = (name: string, data: unknown) => void;

/** The connection to the engine as the UI shows it. `signed-out`: the browser tab has no session (web only). */
export type ConnectionState = 'connecting' | 'open' | 'lost' | 'signed-out';

export interface Transport {
  readonly kind: 'desktop' | 'web';
  call(method: string, input: unknown): Promise<unknown>;
  /** Every event of the contract, by name. Returns the unsubscribe function. */
  subscribe(listener: TransportListener): () => void;
  /** Connection changes; on `open` after `lost` the UI reloads what it shows. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

/** What the desktop app's preload exposes on `window.warden` (contextBridge). */
export interface PreloadBridge {
  invoke(method: string, input: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: { code: string; message: string } }>;
  subscribe(listener: (name: string, data: unknown) => void): () => void;
  /** Desktop-only actions the shell offers (notifications' clicks open a card). */
  onOpenApproval?(listener: (approvalId: string) => void): () => void;
}
