// The Clients screen's part of the contract: which MCP clients are on this machine, what protecting
// one would change (shown before it changes), and one call each way.
import { z } from 'zod';
import { method } from './contract.js';
import { ClientId, ClientInfo, ProtectPlanView, UnprotectResult } from '../clients.js';

/** One config file of one client. `path` must be one of that client's own config files. */
const Target = z.object({ client: ClientId, path: z.string().min(1) });

export const ImportResult = z.object({
  client: ClientId,
  path: z.string(),
  imported: z.array(z.string()),
  known: z.array(z.string()),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  secretsMoved: z.array(z.string()),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const clientMethods = {
  'clients.list': method({
    input: z.object({ projectDir: z.string().optional() }).default({}),
    output: z.array(ClientInfo),
    mutates: false,
    description: 'Detected clients, their config files, and which of their servers go through Warden.',
  }),
  'clients.preview': method({
    input: Target,
    output: ProtectPlanView,
    mutates: false,
    description: 'What protecting this file would change (diff with secrets masked, imports, skips). Changes nothing.',
  }),
  'clients.protect': method({
    input: Target.extend({ expectHash: z.string().optional() }),
    output: z.object({ view: ProtectPlanView, written: z.boolean() }),
    mutates: true,
    description: "Import the file's servers and route them through Warden. Pass the preview's baseHash as expectHash so only what was shown is written.",
  }),
  'clients.unprotect': method({
    input: Target,
    output: UnprotectResult,
    mutates: true,
    description: 'Put the original file back (byte for byte while the client has not changed it since).',
  }),
  'clients.import': method({
    input: Target,
    output: ImportResult,
    mutates: true,
    description: "Add the file's servers to Warden without changing the file.",
  }),
};

export const clientEvents = {
  /** A client's file was protected, unprotected or imported from. */
  'clients.changed': z.object({ client: ClientId, path: z.string() }),
};
