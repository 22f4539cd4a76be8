// Managed policy (IT) for the UI and the CLI: the effective policy with each value's source, so that
// managed items can be shown with a lock and who manages them.
import { z } from 'zod';
import { method } from './contract.js';
import { EffectivePolicy, ManagedState } from '../managed.js';

export const managedMethods = {
  'policy.managed': method({
    input: z.object({ reload: z.boolean().default(false) }).default({ reload: false }),
    output: EffectivePolicy,
    mutates: false,
    description: 'The effective policy and where each value comes from (managed policy, the user, or the default); `reload` re-reads the managed policy file first.',
  }),
};

export const managedEvents = {
  /** The managed policy file changed (added, edited, broken, removed). */
  'managed.changed': z.object({ managed: ManagedState }),
};
