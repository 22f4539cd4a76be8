import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const ROUNDS = 10;
const CHILD = new URL('./write-loop.child.mjs', import.meta.url).pathname;

/** A large Claude Desktop config, so that each write takes long enough to be caught in the middle. */
function config(tag: string): string {
  const servers: Record<string, unknown> = {};
  for (let i = 0; i < 2000; i++) servers[`server-${i}`] = { command: 'npx', args: ['-y', `pkg-${tag}-${i}`], env: { LEVEL: tag } };
  return JSON.stringify({ mcpServers: servers, version: tag }, null, 2) + '\n';
}

test('a writer killed (SIGKILL) in the middle of writing leaves the old or the new file, never a broken one', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-atomic-'));
  try {
    const A = config('a');
    const B = config('b');
    const file = join(dir, 'claude_desktop_config.json');
    writeFileSync(join(dir, 'a.json'), A);
    writeFileSync(join(dir, 'b.json'), B);
    writeFileSync(file, A);
    const seen = { a: 0, b: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawn(process.execPath, [CHILD, file, join(dir, 'a.json'), join(dir, 'b.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const exited = once(child, 'exit');
      const started = await Promise.race([once(child.stdout!, 'data').then(() => true), exited.then(() => false)]);
      assert.ok(started, `the writer stopped before writing: ${stderr}`);
      await new Promise((r) => setTimeout(r, 5 + ((round * 37) % 60)));
      child.kill('SIGKILL');
      await exited;
      const now = readFileSync(file, 'utf8');
      assert.ok(now === A || now === B, `round ${round}: the file is one whole version (${now.length} bytes)`);
      JSON.parse(now);
      seen[now === A ? 'a' : 'b']++;
    }
    assert.equal(seen.a + seen.b, ROUNDS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
