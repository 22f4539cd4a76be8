// "Set by Example Corp IT (it-help@example.com)": shown beside anything managed policy fixes, so a
// person sees why it cannot be changed and whom to ask.
import type { EffectivePolicy } from '../../shared/managed.js';
import { Icon } from './Icon.js';

export function ManagedLock({ policy, what }: { policy: Pick<EffectivePolicy, 'managedBy' | 'contact'>; what?: string }) {
  return (
    <p className="lock" role="note">
      <Icon name="lock" size={14} />
      <span>
        {what ?? 'Set'} by {policy.managedBy}
        {policy.contact ? ` (${policy.contact})` : ''}
      </span>
    </p>
  );
}
