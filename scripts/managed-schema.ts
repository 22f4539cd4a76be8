// Writes docs/managed-policy.schema.json from shared/managed.ts (the one definition of the format).
// Run: npx tsx scripts/managed-schema.ts   (test/engine/managed/schema.test.ts checks the file is current)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { managedPolicyJsonSchema } from '../shared/managed-schema.js';

const out = fileURLToPath(new URL('../docs/managed-policy.schema.json', import.meta.url));
writeFileSync(out, JSON.stringify(managedPolicyJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${out}\n`);
