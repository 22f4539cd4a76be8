// MCP clients (Claude Desktop, Cursor, ...) as the engine, the CLI and the UI see them: which are
// installed, which of their servers go through Warden, and what protecting one would change.
import { z } from 'zod';

export const ClientId = z.enum(['claude-desktop', 'cursor', 'vscode', 'windsurf', 'claude-code']);
export type ClientId = z.infer<typeof ClientId>;

export const ClientScope = z.enum(['user', 'project']);
export type ClientScope = z.infer<typeof ClientScope>;

/** Where one server entry of a client stands. */
export const EntryState = z.enum([
  /** Goes to the server directly: protecting the client would route it through Warden. */
  'direct',
  /** Already goes through Warden (`warden connect <name>`). */
  'protected',
  /** Warden leaves it as it is; `reason` says why (client-side variables, a secret with no keychain, ...). */
  'skipped',
]);
export type EntryState = z.infer<typeof EntryState>;

export const ClientEntry = z.object({
  name: z.string(),
  transport: z.enum(['stdio', 'http']),
  /** `command args...` for stdio, the URL for http. Secret values never appear here. */
  summary: z.string(),
  state: EntryState,
  reason: z.string().optional(),
  /** Names of env variables / headers whose values are (or would be) kept in the OS keychain. */
  secrets: z.array(z.string()).default([]),
});
export type ClientEntry = z.infer<typeof ClientEntry>;

export const ClientConfigFile = z.object({
  client: ClientId,
  scope: ClientScope,
  path: z.string(),
  exists: z.boolean(),
  /** Set when the file exists but cannot be read as the client's format: Warden will not touch it. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  entries: z.array(ClientEntry).default([]),
  /** Warden holds a backup of the original: `unprotect` restores it. */
  protected: z.boolean(),
});
export type ClientConfigFile = z.infer<typeof ClientConfigFile>;

export const ClientInfo = z.object({
  id: ClientId,
  displayName: z.string(),
  /** Any of its config files exists (or the client's folder does). */
  detected: z.boolean(),
  files: z.array(ClientConfigFile),
});
export type ClientInfo = z.infer<typeof ClientInfo>;

/** What `protect` would do (or did) to one file: shown before anything changes. */
export const ProtectPlanView = z.object({
  client: ClientId,
  path: z.string(),
  /** sha256 of the file as read and of this preview: pass it back to `protect` so that only what was shown is written. */
  baseHash: z.string(),
  /** Servers that become Warden servers first. */
  imports: z.array(z.string()),
  /** Entries rewritten to go through Warden. */
  rewrites: z.array(z.string()),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  /** Env variables moved to the OS keychain, as `<server>/<VARIABLE>`. Values are never shown. */
  secretsMoved: z.array(z.string()),
  /** A unified diff of the client's file, secret values masked. */
  diff: z.string(),
  /** The command every rewritten stdio entry runs, and how it was chosen. */
  launcher: z.object({ command: z.string(), args: z.array(z.string()), how: z.string() }),
});
export type ProtectPlanView = z.infer<typeof ProtectPlanView>;

export const UnprotectResult = z.object({
  client: ClientId,
  path: z.string(),
  /** `exact`: the original bytes are back. `entries`: the client changed the file since, so only the
   *  rewritten entries were put back and its other changes were kept. */
  restored: z.enum(['exact', 'entries']),
});
export type UnprotectResult = z.infer<typeof UnprotectResult>;
