import type { ApprovalView } from '../../shared/policy.js';
import type { Query } from '../api/hooks.js';

export function ApprovalsScreen(_props: { pending: Query<ApprovalView[]>; focusId?: string }) {
  return <div />;
}
