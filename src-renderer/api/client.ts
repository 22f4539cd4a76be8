// The renderer's one client of the engine, built from the contract's method table: every method listed in
// shared/api/index.ts is here, typed, whichever transport carries it.
import type { z } from 'zod';
import { events, methods, type EventName, type Events, type Methods } from '../../shared/api/index.js';
import type { Client } from '../../shared/api/contract.js';
import type { Transport } from './transport.js';
import { createPreloadTransport } from './preloadTransport.js';
import { createWebTransport } from './webTransport.js';

export type WardenClient = Client<Methods>;
export type EventPayload<K extends EventName> = z.output<Events[K]>;

export interface Api {
  client: WardenClient;
  transport: Transport;
  on<K extends EventName>(name: K, listener: (data: EventPayload<K>) => void): () => void;
}

export function createApi(transport: Transport): Api {
  const client = {} as Record<string, (input?: unknown) => Promise<unknown>>;
  for (const name of Object.keys(methods)) client[name] = (input?: unknown) => transport.call(name, input ?? {});
  return {
    client: client as unknown as WardenClient,
    transport,
    on(name, listener) {
      return transport.subscribe((event, data) => {
        if (event === name) listener(data as EventPayload<typeof name>);
      });
    },
  };
}

declare global {
  interface Window {
    warden?: import('./transport.js').PreloadBridge;
  }
}

/** The desktop app's preload when it is there, else the web bridge this page was served by. */
export function connect(): Api {
  const eventNames = Object.keys(events);
  return createApi(window.warden ? createPreloadTransport(window.warden) : createWebTransport(eventNames));
}
