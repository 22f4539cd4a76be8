// The pending approvals, kept current by the engine's `approvals.changed` events (which carry the list).
import type { ApprovalView } from '../../shared/policy.js';
import { useEvent, useQuery, type Query } from '../api/hooks.js';

/** Newest first: the call that just arrived is on top. */
export function newestFirst(list: ApprovalView[]): ApprovalView[] {
  return [...list].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id.localeCompare(a.id));
}

export function usePendingApprovals(): Query<ApprovalView[]> {
  const query = useQuery(async (c) => newestFirst(await c['approvals.list']({})), []);
  useEvent('approvals.changed', (event) => query.set(newestFirst(event.pending)));
  return query;
}
