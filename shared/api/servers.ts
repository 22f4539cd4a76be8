// Engine, servers and settings: the part of the contract the gateway itself answers.
import { z } from 'zod';
import { method } from './contract.js';
import { ServerConfig } from '../servers.js';
import { Settings, SettingsPatch } from '../settings.js';
import { Tier } from '../words.js';

export const ServerState = z.enum(['idle', 'starting', 'running', 'crashed', 'failed']);
export type ServerState = z.infer<typeof ServerState>;

/** What managed policy (IT) locks about one server, and who manages it: the UI shows these with a lock. */
export const ServerManaged = z.object({
  /** Who manages this machine ("Example Corp IT", or "your organisation"), named in every lock. */
  managedBy: z.string(),
  /** How to reach them, when the policy says. */
  contact: z.string().optional(),
  /** The tier managed policy fixes (the view's config.tier is this one); changing it is refused. */
  tier: Tier.optional(),
  /** Why managed policy blocks this server (forbidden by name, command, package or URL, or not on its allow-list); it cannot be connected. */
  forbidden: z.string().optional(),
  /** Payload capture cannot be turned on (managed settings.allowPayloadCapture is false). */
  captureOff: z.boolean().optional(),
  /** The managed policy file is broken: nothing it could lock can be changed, and every call is denied. */
  broken: z.string().optional(),
});
export type ServerManaged = z.infer<typeof ServerManaged>;

export const ServerView = z.object({
  config: ServerConfig,
  state: ServerState,
  /** Client sessions connected to this server now. */
  sessions: z.number().int(),
  lastError: z.string().optional(),
  restarts: z.number().int(),
  /** Present when managed policy locks something about this server. */
  managed: ServerManaged.optional(),
});
export type ServerView = z.infer<typeof ServerView>;

export const EngineStatus = z.object({
  pid: z.number().int(),
  url: z.string(),
  dataDir: z.string(),
  version: z.string(),
  startedAt: z.string(),
  servers: z.array(ServerView),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

const Empty = z.object({}).default({});
const Name = z.object({ name: z.string() });

export const serverMethods = {
  'engine.status': method({ input: Empty, output: EngineStatus, mutates: false, description: 'Is the engine running, where, and the state of each server.' }),
  'engine.uiLink': method({
    input: Empty,
    output: z.object({ url: z.string() }),
    mutates: false,
    description: 'A new one-time link to the web UI (for `warden ui`); an engine without the web UI (the desktop app) has none.',
  }),
  'servers.list': method({ input: Empty, output: z.array(ServerView), mutates: false, description: 'Every configured server with its state.' }),
  'servers.add': method({ input: ServerConfig, output: ServerView, mutates: true, description: 'Add a server.' }),
  'servers.remove': method({ input: Name, output: z.object({ removed: z.string() }), mutates: true, description: 'Remove a server; its sessions are closed.' }),
  'servers.setCapture': method({
    input: z.object({ name: z.string(), capturePayloads: z.boolean() }),
    output: ServerView,
    mutates: true,
    description: "Opt a server in or out of payload capture (argument and result values in the audit log, secrets redacted).",
  }),
  'servers.stderr': method({ input: Name, output: z.object({ lines: z.array(z.string()) }), mutates: false, description: "The tail of a server's stderr." }),
  'settings.get': method({ input: Empty, output: Settings, mutates: false, description: 'Current settings.' }),
  'settings.set': method({ input: SettingsPatch, output: Settings, mutates: true, description: 'Change settings (audit forwarding and retention apply at once; managed ones are locked).' }),
};

export const serverEvents = {
  'servers.changed': z.object({ servers: z.array(ServerView) }),
  /** Settings changed (the UI, the CLI through the engine): the values in force. */
  'settings.changed': z.object({ settings: Settings }),
};
