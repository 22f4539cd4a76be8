// What one client entry means (a stdio command or a remote URL), whether it already goes through
// Warden, and the entry Warden writes in its place. Pure: values in, values out.
import type { ClientRow } from './catalog.js';

export type ClientServer =
  | { transport: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string }
  | { transport: 'http'; url: string; headers: Record<string, string> };

export type Normalized = { ok: true; server: ClientServer } | { ok: false; reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (!isObject(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}

/** `${input:x}`, `${env:X}`, `${workspaceFolder}`, `${VAR}`: filled in by the client, unknown to Warden. */
const CLIENT_VARIABLE = /\$\{[^}]*\}/;

function usesClientVariables(values: string[]): string | undefined {
  return values.find((v) => CLIENT_VARIABLE.test(v))?.match(CLIENT_VARIABLE)?.[0];
}

export function normalizeEntry(row: ClientRow, value: unknown): Normalized {
  if (!isObject(value)) return { ok: false, reason: 'the entry is not an object' };
  const type = row.typeKey && typeof value[row.typeKey.key] === 'string' ? (value[row.typeKey.key] as string) : undefined;
  if (type === 'sse') return { ok: false, reason: 'it uses the SSE transport, which Warden does not forward' };
  if (value.envFile !== undefined) return { ok: false, reason: 'it reads its environment from an envFile, which Warden does not read' };
  const urlKey = row.urlKeys.find((k) => typeof value[k] === 'string');

  if (typeof value.command === 'string' && (type === undefined || type === 'stdio')) {
    const args = value.args === undefined ? [] : value.args;
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return { ok: false, reason: '"args" is not a list of strings' };
    const env = stringRecord(value.env);
    if (!env) return { ok: false, reason: '"env" is not an object of strings' };
    if (value.cwd !== undefined && typeof value.cwd !== 'string') return { ok: false, reason: '"cwd" is not a string' };
    const variable = usesClientVariables([value.command, ...args, ...Object.values(env), ...(typeof value.cwd === 'string' ? [value.cwd] : [])]);
    if (variable) return { ok: false, reason: `it uses ${variable}, which only ${row.displayName} can fill in` };
    const server: ClientServer = { transport: 'stdio', command: value.command, args: args as string[], env };
    if (typeof value.cwd === 'string') server.cwd = value.cwd;
    return { ok: true, server };
  }
  if (urlKey && (type === undefined || type === 'http' || type === 'streamable-http' || type === 'streamableHttp')) {
    const url = value[urlKey] as string;
    const headers = stringRecord(value.headers);
    if (!headers) return { ok: false, reason: '"headers" is not an object of strings' };
    const variable = usesClientVariables([url, ...Object.values(headers)]);
    if (variable) return { ok: false, reason: `it uses ${variable}, which only ${row.displayName} can fill in` };
    if (!/^https?:\/\//i.test(url)) return { ok: false, reason: `its URL ${JSON.stringify(url)} is not http(s)` };
    return { ok: true, server: { transport: 'http', url, headers } };
  }
  if (type && type !== 'stdio' && type !== 'http') return { ok: false, reason: `its type "${type}" is not one Warden knows` };
  if (value.command !== undefined && typeof value.command !== 'string') return { ok: false, reason: '"command" is not a string' };
  if (urlKey === undefined && row.urlKeys.some((k) => value[k] !== undefined)) return { ok: false, reason: 'its URL is not a string' };
  return { ok: false, reason: 'it has neither a command nor a URL' };
}

/** The command and arguments that start Warden's stdio bridge for one server (see launcher.ts). */
export interface LaunchCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** A file name that is Warden's: `warden`, `warden.js`, `Warden.exe`, `Warden-0.1.0.AppImage`; not any path with "warden" in it. */
const WARDEN_FILE = /(^|[\\/])warden([-._ ][^\\/]*)?$/i;

/** True for an entry that already goes through Warden: `... connect <name>` or `... --connect <name>`. */
export function isWardenEntry(server: ClientServer): boolean {
  if (server.transport !== 'stdio') return false;
  const n = server.args.length;
  if (n < 2) return false;
  const verb = server.args[n - 2];
  if (verb !== 'connect' && verb !== '--connect') return false;
  // Taken for Warden's bridge only when the program (or the script it runs) is named as Warden's: a
  // server that merely lives under a folder called warden is the user's own, and must go through Warden.
  return [server.command, ...server.args.slice(0, n - 2)].some((s) => WARDEN_FILE.test(s));
}

export function wardenServerOf(server: ClientServer): string | undefined {
  return isWardenEntry(server) && server.transport === 'stdio' ? server.args[server.args.length - 1] : undefined;
}

/** The keys Warden sets on a rewritten entry, in the order a person would write them. Keys of the
 *  entry that are not transport keys (disabled, autoApprove, timeout, ...) are kept as they are. */
export function wardenEntryKeys(row: ClientRow, entry: Record<string, unknown>, launch: LaunchCommand): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  if (row.typeKey && (row.typeKey.typeRequired || entry[row.typeKey.key] !== undefined)) keys[row.typeKey.key] = 'stdio';
  keys.command = launch.command;
  keys.args = [...launch.args];
  if (launch.env && Object.keys(launch.env).length > 0) keys.env = { ...launch.env };
  return keys;
}
