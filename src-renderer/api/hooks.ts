// React access to the engine: the client in a context, data that reloads on the events that change it.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { EventName } from '../../shared/api/index.js';
import type { Api, EventPayload, WardenClient } from './client.js';
import { ApiRequestError, type ConnectionState } from './transport.js';

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}

export function toApiError(error: unknown): ApiRequestError {
  if (error instanceof ApiRequestError) return error;
  return new ApiRequestError('internal', error instanceof Error ? error.message : String(error));
}

export function useEvent<K extends EventName>(name: K, listener: (data: EventPayload<K>) => void): void {
  const api = useApi();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => api.on(name, (data) => ref.current(data)), [api, name]);
}

export function useConnection(): ConnectionState {
  const api = useApi();
  const [state, setState] = useState<ConnectionState>('connecting');
  useEffect(() => api.transport.onConnection(setState), [api]);
  return state;
}

export interface Query<T> {
  data: T | undefined;
  error: ApiRequestError | undefined;
  loading: boolean;
  reload(): void;
  /** Replace the data locally (an event carried the new value), or change what is there now. A load still
   * on its way is dropped: what it would bring is no newer than this. */
  set(data: T | ((current: T | undefined) => T)): void;
}

/** Loads once, again when `deps` change, when one of `refreshOn` arrives, and when the connection comes back. */
export function useQuery<T>(load: (client: WardenClient) => Promise<T>, deps: unknown[], refreshOn: readonly EventName[] = []): Query<T> {
  const api = useApi();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiRequestError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    loadRef.current(api.client).then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(toApiError(err));
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, ...deps]);

  useEffect(() => {
    reload();
  }, [reload]);

  const events = refreshOn.join(' ');
  useEffect(() => {
    if (!events) return;
    const names = events.split(' ');
    return api.transport.subscribe((name) => {
      if (names.includes(name)) reload();
    });
  }, [api, events, reload]);

  useEffect(() => {
    let last: ConnectionState | undefined;
    return api.transport.onConnection((state) => {
      if (state === 'open' && last === 'lost') reload();
      last = state;
    });
  }, [api, reload]);

  const set = useCallback((next: T | ((current: T | undefined) => T)) => {
    generation.current++;
    setData(next as T | ((current: T | undefined) => T | undefined));
    setError(undefined);
    setLoading(false);
  }, []);

  return { data, error, loading, reload, set };
}

/** Runs an action, keeping its error for the UI to show. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiRequestError | undefined>(undefined);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await action(...args);
      } catch (err) {
        setError(toApiError(err));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, error, clearError: () => setError(undefined) };
}
