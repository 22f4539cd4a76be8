// The published JSON Schema of the managed policy file, generated from the zod definition so the two
// cannot drift (IT tools and editors validate against docs/managed-policy.schema.json).
import { z } from 'zod';
import { ManagedPolicy } from './managed.js';

export const MANAGED_SCHEMA_ID = 'https://warden.dev/schemas/managed-policy.schema.json';

export function managedPolicyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ManagedPolicy, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return { $schema: schema.$schema, $id: MANAGED_SCHEMA_ID, title: 'Warden managed policy', ...schema };
}
