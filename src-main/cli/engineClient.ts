// The CLI's way into a running engine: the admin API over loopback HTTP, found through engine.lock.
import type { InputOf, OutputOf } from '../../shared/api/contract.js';
import type { MethodName, Methods } from '../../shared/api/index.js';
import { WardenError, type ErrorCode } from '../engine/errors.js';
import { TokenStore } from '../engine/gateway/tokens.js';
import { readLock } from '../engine/lock.js';
import { dataDir, dataPaths, type DataPaths } from '../engine/paths.js';

export class EngineClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  /** The running engine of this data directory, or undefined when none runs. */
  static find(paths: DataPaths = dataPaths(dataDir())): EngineClient | undefined {
    const lock = readLock(paths);
    if (!lock?.url) return undefined;
    return new EngineClient(lock.url, new TokenStore(paths).adminToken());
  }

  static require(paths: DataPaths = dataPaths(dataDir())): EngineClient {
    const client = EngineClient.find(paths);
    if (!client) throw new WardenError('engine_not_running', `Warden is not running for ${paths.dir}. Start it with \`warden serve\` (or npm start).`);
    return client;
  }

  async call<K extends MethodName>(method: K, input: InputOf<Methods, K>): Promise<OutputOf<Methods, K>> {
    let response: Response;
    try {
      response = await fetch(`${this.url}/api/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch (error) {
      throw new WardenError('engine_unreachable', `Warden at ${this.url} did not answer (${(error as Error).message}).`);
    }
    const body = (await response.json().catch(() => ({}))) as { result?: unknown; code?: ErrorCode; message?: string };
    if (!response.ok) throw new WardenError(body.code ?? 'internal', body.message ?? `HTTP ${response.status}`);
    return body.result as OutputOf<Methods, K>;
  }
}
