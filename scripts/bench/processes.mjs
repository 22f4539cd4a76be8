// The processes the gateway benchmarks start, shared by gateway.mjs and throughput.mjs: `warden serve`
// on a data directory, the bare proxy in front of a server command, and a client token.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const WARDEN = join(root, 'bin', 'warden.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `warden serve` with this environment (its WARDEN_DATA_DIR) and Node flags; resolves once it listens. */
export async function startServe(env, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, WARDEN, 'serve', '--no-open', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  for (let i = 0; i < 200 && !/Data:/.test(out); i++) await sleep(50);
  const url = /Warden (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  if (!url) throw new Error(`warden serve did not start: ${out}`);
  return { child, url };
}

/** bare-proxy.mjs in front of this server command; resolves to its base URL once it listens. */
export async function startBareProxy(command) {
  const child = spawn(process.execPath, [join(root, 'scripts', 'bench', 'bare-proxy.mjs'), ...command], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`bare-proxy.mjs exited (${code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}/mcp` };
}

/** A client's token in this data directory: the same token store `warden connect --client` uses. */
export async function clientToken(dir, id) {
  const { TokenStore } = await import(join(root, 'dist/src-main/engine/gateway/tokens.js'));
  const { dataPaths } = await import(join(root, 'dist/src-main/engine/paths.js'));
  return new TokenStore(dataPaths(dir)).clientToken(id);
}
