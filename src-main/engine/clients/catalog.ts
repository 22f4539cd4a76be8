// The MCP clients Warden knows: where each keeps its MCP config on each OS, and how its entries are
// written. One row per client; adding a client is adding a row. Each row is taken from the client's
// own documentation:
// - Claude Desktop: modelcontextprotocol.io "Connect to local MCP servers" (claude_desktop_config.json).
// - Cursor: docs.cursor.com "Model Context Protocol" (~/.cursor/mcp.json, .cursor/mcp.json).
// - VS Code: code.visualstudio.com "MCP configuration reference" (mcp.json, key `servers`, JSONC).
// - Windsurf: docs.windsurf.com "Cascade MCP" (~/.codeium/windsurf/mcp_config.json, `serverUrl`).
// - Claude Code: docs.anthropic.com "Claude Code MCP" (~/.claude.json user + local scopes, .mcp.json).
import type { ClientId, ClientScope } from '../../../shared/clients.js';

export type ClientOs = 'darwin' | 'win32' | 'linux';

/** A path template. `{home}`, `{appData}` (Windows %APPDATA%) and `{xdgConfig}` ($XDG_CONFIG_HOME or
 *  ~/.config) are filled in by resolveClientPaths; `/` is turned into the OS's separator. */
export type PathTemplate = string;

export interface ClientRow {
  id: ClientId;
  displayName: string;
  /** `jsonc`: comments and trailing commas are allowed and kept (VS Code). */
  format: 'json' | 'jsonc';
  /** The object that maps a server name to its entry. */
  serversKey: 'mcpServers' | 'servers';
  /** User-scope config files, per OS. */
  user: Record<ClientOs, PathTemplate[]>;
  /** Project-scope config files, relative to a project folder. */
  project: string[];
  /** A folder whose presence means the client is installed even before it has an MCP file. */
  installedMarker: Record<ClientOs, PathTemplate[]>;
  /**
   * Further server maps inside one file, as JSON paths (Claude Code keeps a map per project), each with
   * the project folder its servers run in.
   */
  nestedServerMaps?: (root: unknown) => { path: (string | number)[]; projectDir?: string }[];
  /** How an entry says its transport. `type` is read when present; `typeRequired` rows always get one written. */
  typeKey?: { key: 'type'; typeRequired: boolean };
  /** Keys that hold a remote server's URL, the first one is the documented one. */
  urlKeys: string[];
  /** Keys Warden may replace when it rewrites an entry; every other key of the entry is kept. */
  transportKeys: string[];
}

const STDIO_KEYS = ['type', 'command', 'args', 'env', 'envFile', 'cwd'];

export const CLIENTS: readonly ClientRow[] = [
  {
    id: 'claude-desktop',
    displayName: 'Claude Desktop',
    format: 'json',
    serversKey: 'mcpServers',
    user: {
      darwin: ['{home}/Library/Application Support/Claude/claude_desktop_config.json'],
      win32: ['{appData}/Claude/claude_desktop_config.json'],
      linux: ['{xdgConfig}/Claude/claude_desktop_config.json'],
    },
    project: [],
    installedMarker: {
      darwin: ['{home}/Library/Application Support/Claude'],
      win32: ['{appData}/Claude'],
      linux: ['{xdgConfig}/Claude'],
    },
    urlKeys: ['url'],
    transportKeys: [...STDIO_KEYS, 'url', 'headers'],
  },
  {
    id: 'cursor',
    displayName: 'Cursor',
    format: 'json',
    serversKey: 'mcpServers',
    user: { darwin: ['{home}/.cursor/mcp.json'], win32: ['{home}/.cursor/mcp.json'], linux: ['{home}/.cursor/mcp.json'] },
    project: ['.cursor/mcp.json'],
    installedMarker: { darwin: ['{home}/.cursor'], win32: ['{home}/.cursor'], linux: ['{home}/.cursor'] },
    typeKey: { key: 'type', typeRequired: false },
    urlKeys: ['url'],
    transportKeys: [...STDIO_KEYS, 'url', 'headers'],
  },
  {
    id: 'vscode',
    displayName: 'VS Code',
    format: 'jsonc',
    serversKey: 'servers',
    user: {
      darwin: ['{home}/Library/Application Support/Code/User/mcp.json'],
      win32: ['{appData}/Code/User/mcp.json'],
      linux: ['{xdgConfig}/Code/User/mcp.json'],
    },
    project: ['.vscode/mcp.json'],
    installedMarker: {
      darwin: ['{home}/Library/Application Support/Code/User'],
      win32: ['{appData}/Code/User'],
      linux: ['{xdgConfig}/Code/User'],
    },
    typeKey: { key: 'type', typeRequired: true },
    urlKeys: ['url'],
    transportKeys: [...STDIO_KEYS, 'url', 'headers'],
  },
  {
    id: 'windsurf',
    displayName: 'Windsurf',
    format: 'json',
    serversKey: 'mcpServers',
    user: {
      darwin: ['{home}/.codeium/windsurf/mcp_config.json'],
      win32: ['{home}/.codeium/windsurf/mcp_config.json'],
      linux: ['{home}/.codeium/windsurf/mcp_config.json'],
    },
    project: [],
    installedMarker: { darwin: ['{home}/.codeium/windsurf'], win32: ['{home}/.codeium/windsurf'], linux: ['{home}/.codeium/windsurf'] },
    urlKeys: ['serverUrl', 'url'],
    transportKeys: [...STDIO_KEYS, 'serverUrl', 'url', 'headers'],
  },
  {
    id: 'claude-code',
    displayName: 'Claude Code',
    format: 'json',
    serversKey: 'mcpServers',
    user: { darwin: ['{home}/.claude.json'], win32: ['{home}/.claude.json'], linux: ['{home}/.claude.json'] },
    project: ['.mcp.json'],
    installedMarker: { darwin: ['{home}/.claude'], win32: ['{home}/.claude'], linux: ['{home}/.claude'] },
    // ~/.claude.json keeps the "local" scope per project: projects["/abs/path"].mcpServers.
    nestedServerMaps: (root) => {
      const projects = isObject(root) ? root.projects : undefined;
      if (!isObject(projects)) return [];
      return Object.keys(projects)
        .filter((dir) => isObject(projects[dir]) && isObject((projects[dir] as Record<string, unknown>).mcpServers))
        .map((dir) => ({ path: ['projects', dir, 'mcpServers'], projectDir: dir }));
    },
    typeKey: { key: 'type', typeRequired: false },
    urlKeys: ['url'],
    transportKeys: [...STDIO_KEYS, 'url', 'headers'],
  },
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clientRow(id: ClientId): ClientRow {
  const row = CLIENTS.find((c) => c.id === id);
  if (!row) throw new Error(`No catalog row for client ${id}`);
  return row;
}

export interface PathContext {
  platform: NodeJS.Platform;
  home: string;
  env: NodeJS.ProcessEnv;
  /** A project folder to look in for project-scope files. */
  projectDir?: string;
}

export interface ResolvedPath {
  scope: ClientScope;
  path: string;
}

function osOf(platform: NodeJS.Platform): ClientOs {
  return platform === 'darwin' || platform === 'win32' ? platform : 'linux';
}

function joinFor(os: ClientOs, ...parts: string[]): string {
  const sep = os === 'win32' ? '\\' : '/';
  return parts
    .map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, '')))
    .filter((p) => p.length > 0)
    .join(sep)
    .replace(/[\\/]/g, sep);
}

export function fillTemplate(template: PathTemplate, ctx: PathContext): string {
  const os = osOf(ctx.platform);
  const appData = ctx.env.APPDATA ?? joinFor(os, ctx.home, 'AppData', 'Roaming');
  const xdgConfig = ctx.env.XDG_CONFIG_HOME && ctx.env.XDG_CONFIG_HOME.trim() ? ctx.env.XDG_CONFIG_HOME : joinFor(os, ctx.home, '.config');
  const filled = template.replace('{home}', ctx.home).replace('{appData}', appData).replace('{xdgConfig}', xdgConfig);
  return joinFor(os, filled);
}

/** Every config file the client may have on this OS, user scope first. Pure: no file is looked at. */
export function resolveClientPaths(row: ClientRow, ctx: PathContext): ResolvedPath[] {
  const os = osOf(ctx.platform);
  const out: ResolvedPath[] = row.user[os].map((t) => ({ scope: 'user' as const, path: fillTemplate(t, ctx) }));
  if (ctx.projectDir) for (const rel of row.project) out.push({ scope: 'project', path: joinFor(os, ctx.projectDir, rel) });
  return out;
}

export function resolveInstalledMarkers(row: ClientRow, ctx: PathContext): string[] {
  return row.installedMarker[osOf(ctx.platform)].map((t) => fillTemplate(t, ctx));
}
