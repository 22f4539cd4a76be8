// Warden's version, read once from package.json (two levels up from source, three from dist/).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function findManifest(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    const path = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('package.json of Warden not found');
}

export const PACKAGE_JSON = findManifest();
export const VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
