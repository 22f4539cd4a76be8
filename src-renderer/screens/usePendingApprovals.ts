import type { ApprovalView } from '../../shared/policy.js';
import type { Query } from '../api/hooks.js';

export function usePendingApprovals(): Query<ApprovalView[]> {
  return { data: [], error: undefined, loading: false, reload() {}, set() {} };
}
