// The Activity table's data: pages of records loaded as the person scrolls (newest first), and records
// that arrive meanwhile followed at the top.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditQueryInput, AuditRecordView } from '../../shared/api/audit.js';
import { toApiError, useApi } from '../api/hooks.js';
import type { ApiRequestError } from '../api/transport.js';

export type RecordFilters = Omit<AuditQueryInput, 'before' | 'after' | 'order' | 'limit' | 'callId'>;

const PAGE = 1000;
const FOLLOW_MS = 2000;

export interface Records {
  rows: AuditRecordView[];
  done: boolean;
  loading: boolean;
  error: ApiRequestError | undefined;
  loadMore(): void;
  refresh(): void;
}

export function useRecords(filters: RecordFilters): Records {
  const api = useApi();
  const [rows, setRows] = useState<AuditRecordView[]>([]);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiRequestError | undefined>(undefined);
  const state = useRef({ cursor: undefined as number | undefined, loading: false, done: false, generation: 0, newest: 0 });
  const key = JSON.stringify(filters);

  const loadMore = useCallback(() => {
    const s = state.current;
    if (s.loading || s.done) return;
    s.loading = true;
    setLoading(true);
    const generation = s.generation;
    api.client['audit.query']({ ...filters, before: s.cursor, limit: PAGE }).then(
      (page) => {
        if (generation !== state.current.generation) return;
        s.loading = false;
        s.cursor = page.nextCursor;
        s.done = page.nextCursor === undefined;
        if (page.records[0] && page.records[0].seq > s.newest) s.newest = page.records[0].seq;
        setRows((r) => [...r, ...page.records]);
        setDone(s.done);
        setLoading(false);
        setError(undefined);
      },
      (err: unknown) => {
        if (generation !== state.current.generation) return;
        s.loading = false;
        setLoading(false);
        setError(toApiError(err));
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);

  const refresh = useCallback(() => {
    state.current = { cursor: undefined, loading: false, done: false, generation: state.current.generation + 1, newest: 0 };
    setRows([]);
    setDone(false);
    loadMore();
  }, [loadMore]);

  useEffect(() => {
    refresh();
  }, [refresh]);

  // Follow the log: records newer than the newest shown are put on top.
  useEffect(() => {
    const timer = setInterval(() => {
      const s = state.current;
      if (s.loading) return;
      const generation = s.generation;
      api.client['audit.query']({ ...filters, after: s.newest, order: 'oldest', limit: 1000 }).then(
        (page) => {
          if (generation !== state.current.generation || !page.records.length) return;
          const fresh = page.records.filter((r) => r.seq > state.current.newest).reverse();
          if (!fresh.length) return;
          state.current.newest = fresh[0]!.seq;
          setRows((r) => [...fresh, ...r]);
        },
        () => undefined,
      );
    }, FOLLOW_MS);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);

  return { rows, done, loading, error, loadMore, refresh };
}
