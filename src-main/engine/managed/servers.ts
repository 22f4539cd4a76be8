// Which servers managed policy forbids and which tiers it fixes. A server is matched by its name, by
// the command it runs, by the packages it is launched from (npx, uvx, pipx, bunx, pnpm dlx, yarn dlx,
// npm exec, or a path into node_modules), and, for HTTP servers, by its URL. Pure.
import type { ManagedPolicy } from '../../../shared/managed.js';
import type { ServerConfigInput } from '../../../shared/servers.js';
import type { Tier } from '../../../shared/words.js';
import { globMatches } from './glob.js';

export type ServerShape = Pick<ServerConfigInput, 'name' | 'transport'> & { command?: string; args?: string[]; url?: string };

/** The executable's name without directories or a Windows extension, lower-cased: `/usr/bin/NPX.cmd` → `npx`. */
export function commandName(command: string): string {
  const base = command.split(/[\\/]/).pop() ?? command;
  return base.replace(/\.(exe|cmd|bat|ps1)$/i, '').toLowerCase();
}

/** `@scope/name@1.2.3` → `@scope/name`, `name==1.0` / `name[extra]>=2` → `name`. */
export function stripVersion(spec: string): string {
  let s = spec.trim();
  const at = s.indexOf('@', s.startsWith('@') ? 1 : 0);
  if (at > 0) s = s.slice(0, at);
  s = s.replace(/\[.*$/, '').replace(/[=<>!~].*$/, '');
  return s.toLowerCase();
}

const LAUNCHERS: Record<string, string[][]> = {
  // command: subcommand paths after which the next positional is the package
  npx: [[]],
  pnpx: [[]],
  bunx: [[]],
  uvx: [[]],
  npm: [['exec'], ['x']],
  pnpm: [['dlx'], ['exec']],
  yarn: [['dlx']],
  bun: [['x']],
  uv: [['tool', 'run'], ['run']],
  pipx: [['run']],
};

/** Flags whose next argument is a value, not the package. */
const VALUE_FLAGS = new Set(['-p', '--package', '--from', '--with', '--python', '--registry', '--cache', '--spec', '-c', '--call', '--index-url']);

/** The packages a stdio server is launched from. */
export function packagesOf(server: ServerShape): string[] {
  if (server.transport !== 'stdio' || !server.command) return [];
  const args = server.args ?? [];
  const out = new Set<string>();
  for (const a of [server.command, ...args]) {
    const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(a);
    if (m) out.add(m[1]!.replace(/\\/g, '/').toLowerCase());
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = /^(--package|--from|--spec)=(.+)$/.exec(a);
    if (eq) out.add(stripVersion(eq[2]!));
    else if ((a === '-p' || a === '--package' || a === '--from' || a === '--spec') && args[i + 1]) out.add(stripVersion(args[i + 1]!));
  }
  const subs = LAUNCHERS[commandName(server.command)];
  if (subs) {
    for (const sub of subs) {
      const positionals: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === '--') continue;
        if (a.startsWith('-')) {
          if (VALUE_FLAGS.has(a)) i += 1;
          continue;
        }
        positionals.push(a);
        if (positionals.length > sub.length) break;
      }
      if (sub.every((s, i) => positionals[i] === s) && positionals[sub.length]) {
        out.add(stripVersion(positionals[sub.length]!));
        break;
      }
    }
  }
  return [...out];
}

const who = (p: ManagedPolicy) => p.managedBy ?? 'your organisation';

/** Why managed policy forbids this server, or undefined when it may be added and connected. */
export function forbiddenReason(policy: ManagedPolicy, server: ServerShape): string | undefined {
  const name = server.name;
  const listed = Object.hasOwn(policy.servers, name) ? policy.servers[name] : undefined;
  const because = (why: string) => `Server \`${name}\` is forbidden by ${who(policy)}'s managed policy (${why}).`;
  if (listed?.forbidden) return because(listed.reason ? `servers.${name}: ${listed.reason}` : `servers.${name}.forbidden`);
  const byName = policy.forbid.servers.find((g) => globMatches(g, name));
  if (byName) return because(`its name matches forbid.servers "${byName}"`);
  if (policy.onlyListedServers && !listed) return because(`only the servers listed there may be used: ${allowedNames(policy).join(', ') || 'none'}`);
  if (server.transport === 'stdio' && server.command) {
    const cmd = commandName(server.command);
    const byCommand = policy.forbid.commands.find((g) => globMatches(g.toLowerCase(), cmd) || globMatches(g, server.command!));
    if (byCommand) return because(`its command \`${server.command}\` matches forbid.commands "${byCommand}"`);
    for (const pkg of packagesOf(server)) {
      const byPackage = policy.forbid.packages.find((g) => globMatches(stripVersion(g), pkg));
      if (byPackage) return because(`it runs the package \`${pkg}\`, which matches forbid.packages "${byPackage}"`);
    }
  }
  if (server.transport === 'http' && server.url) {
    let host = '';
    try {
      host = new URL(server.url).hostname.toLowerCase();
    } catch {
      // an invalid URL is refused by the server schema anyway
    }
    const byUrl = policy.forbid.urls.find((g) => globMatches(g.toLowerCase(), host) || globMatches(g, server.url!));
    if (byUrl) return because(`its URL ${server.url} matches forbid.urls "${byUrl}"`);
  }
  return undefined;
}

export function allowedNames(policy: ManagedPolicy): string[] {
  return Object.entries(policy.servers)
    .filter(([, s]) => !s.forbidden)
    .map(([n]) => n);
}

/** The tier managed policy fixes for a server, if any. */
export function lockedTier(policy: ManagedPolicy | undefined, name: string): Tier | undefined {
  return policy && Object.hasOwn(policy.servers, name) ? policy.servers[name]!.tier : undefined;
}
