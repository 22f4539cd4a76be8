// Child process for atomic.test.ts: rewrites a client file over and over through Warden's writer,
// alternating two versions, until it is killed.
import { writeClientFile, sha256 } from '../../../src-main/engine/clients/files.js';

const [path, a, b] = process.argv.slice(2) as [string, string, string];
const { readFileSync } = await import('node:fs');
const A = readFileSync(a, 'utf8');
const B = readFileSync(b, 'utf8');
let current = readFileSync(path, 'utf8');
let n = 0;
for (;;) {
  const next = current === A ? B : A;
  await writeClientFile(path, next, sha256(Buffer.from(current, 'utf8')));
  current = next;
  if (++n === 1) process.stdout.write('writing\n');
}
