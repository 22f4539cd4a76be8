// Child process for atomic.test.ts: rewrites a client file over and over through Warden's writer (the
// built one, as `npm test` builds first: no TypeScript loader, so each child starts fast), alternating
// two versions, until it is killed.
import { readFileSync } from 'node:fs';

const { writeClientFile, sha256 } = await import(new URL('../../../dist/src-main/engine/clients/files.js', import.meta.url).href);
const [path, a, b] = process.argv.slice(2);
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
