// How a downstream server is configured in Warden (stored in servers.json in the data directory).
import { z } from 'zod';
import { ServerName, Tier } from './words.js';

function parsedUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export const StdioServerConfig = z.object({
  transport: z.literal('stdio'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Plain values, or references to the OS keychain written as `{ "secret": "<account>" }`. */
  env: z.record(z.string(), z.union([z.string(), z.object({ secret: z.string() })])).default({}),
  cwd: z.string().optional(),
});

export const HttpServerConfig = z.object({
  transport: z.literal('http'),
  url: z
    .string()
    .url()
    // Each check reads a URL that parses (zod runs refinements after a failed .url() too).
    .refine((url) => /^https?:$/.test(parsedUrl(url)?.protocol ?? 'http:'), 'must be an http: or https: URL (a Streamable HTTP server)')
    // servers.json would keep them in plain text; a header can reference the OS keychain instead.
    .refine((url) => !parsedUrl(url)?.username && !parsedUrl(url)?.password, 'must not hold a user name or password (servers.json would keep them in plain text)'),
  headers: z.record(z.string(), z.union([z.string(), z.object({ secret: z.string() })])).default({}),
});

export const ServerConfig = z.intersection(
  z.discriminatedUnion('transport', [StdioServerConfig, HttpServerConfig]),
  z.object({
    name: ServerName,
    tier: Tier.default('standard'),
    /** Opt-in payload capture for the audit log (off by default: metadata only). */
    capturePayloads: z.boolean().default(false),
    addedAt: z.string().optional(),
  }),
);
export type ServerConfig = z.infer<typeof ServerConfig>;
export type ServerConfigInput = z.input<typeof ServerConfig>;
