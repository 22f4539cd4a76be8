// Managed policy: the read-only file IT places at a system path. It wins over everything a person sets
// in Warden. This file is the single definition of its shape: the engine parses with it, the UI reads
// the views below, and docs/managed-policy.schema.json is generated from it (a test keeps them equal).
import { z } from 'zod';
import { ArgConstraint } from './policy.js';
import { SyslogDestination } from './syslog.js';
import { Effect, Tier } from './words.js';

/** A server name, or a glob over names (`*` any run of characters, `?` one). */
const NameGlob = z.string().min(1).max(200);

export const ManagedServer = z
  .object({
    /** The server's trust tier, fixed: a person cannot change it. */
    tier: Tier.optional(),
    /** The server cannot be added or connected. */
    forbidden: z.boolean().default(false),
    /** Shown to the person with the lock: why IT set this. */
    reason: z.string().max(500).optional(),
  })
  .strict();
export type ManagedServer = z.infer<typeof ManagedServer>;

export const ManagedForbid = z
  .object({
    /** Server names (globs) that cannot be added or connected. */
    servers: z.array(NameGlob).default([]),
    /** Commands (globs over the executable's name or full path) a stdio server may not run: `curl`, `/opt/*`. */
    commands: z.array(z.string().min(1).max(500)).default([]),
    /** Packages (npm or PyPI names, globs, no version) a server may not be launched from: `@acme/evil-mcp`, `mcp-server-*`. */
    packages: z.array(z.string().min(1).max(300)).default([]),
    /** URLs of HTTP servers (globs over the host, `*.example.com`, or the whole URL) that may not be used. */
    urls: z.array(z.string().min(1).max(2000)).default([]),
  })
  .strict();
export type ManagedForbid = z.infer<typeof ManagedForbid>;

/** A managed rule: like a person's standing rule, but locked. Among matching managed rules deny wins. */
export const ManagedRuleInput = z
  .object({
    /** A stable id shown in decisions and audit records (`managed:<id>`); defaults to `m<position>`. */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).optional(),
    effect: Effect,
    /** A server name, a glob, or `*`. */
    server: NameGlob,
    /** A tool name, a glob (`write_*`), or `*`. */
    tool: NameGlob,
    /** Argument constraints: all must hold (for deny: any path among several is enough). */
    when: z.array(ArgConstraint).default([]),
    /** Only calls from this client (token id). */
    client: z.string().min(1).optional(),
    /** Shown to the model and the person: why the organisation set it. */
    reason: z.string().max(500).optional(),
  })
  .strict();

export const ManagedRule = ManagedRuleInput.extend({ id: z.string() });
export type ManagedRule = z.infer<typeof ManagedRule>;

export { SyslogDestination } from './syslog.js';

export const ManagedSettings = z
  .object({
    /** Seconds a call waits for a person before it is denied. */
    approvalTimeoutSeconds: z.number().int().min(5).max(3600).optional(),
    /** `false`: nobody can answer "always allow" or add a standing allow rule, and existing ones are ignored. */
    allowAlwaysAllow: z.boolean().optional(),
    /** `false`: payload capture is off for every server and cannot be turned on (metadata-only audit). */
    allowPayloadCapture: z.boolean().optional(),
    /** `false`: the desktop app does not check for or install updates (IT ships updates). */
    autoUpdate: z.boolean().optional(),
  })
  .strict();
export type ManagedSettings = z.infer<typeof ManagedSettings>;

export const ManagedAudit = z
  .object({
    /** Every audit record is forwarded to these syslog receivers (RFC 5424 carrying CEF); the person's own auditSyslog setting is then locked. */
    syslog: z.array(SyslogDestination).min(1).optional(),
    /** Audit records are kept at least this many days; a shorter retention is raised to it. */
    minRetentionDays: z.number().int().min(1).max(36500).optional(),
  })
  .strict();
export type ManagedAudit = z.infer<typeof ManagedAudit>;

export const ManagedPolicy = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1),
    /** Who manages this machine, named in every lock: "Example Corp IT". */
    managedBy: z.string().min(1).max(200).optional(),
    /** How to reach them: "it-help@example.com", a ticket URL. */
    contact: z.string().min(1).max(500).optional(),
    servers: z.record(z.string().min(1).max(64), ManagedServer).default({}),
    /** Only the servers named in `servers` (and not forbidden) can be added or connected. */
    onlyListedServers: z.boolean().default(false),
    forbid: ManagedForbid.default({ servers: [], commands: [], packages: [], urls: [] }),
    rules: z
      .array(ManagedRuleInput)
      .default([])
      .transform((rules) => rules.map((r, i): ManagedRule => ({ ...r, id: r.id ?? `m${i + 1}` }))),
    settings: ManagedSettings.default({}),
    audit: ManagedAudit.default({}),
  })
  .strict()
  .describe('Warden managed policy (set by IT; wins over every user setting)');
export type ManagedPolicy = z.output<typeof ManagedPolicy>;
export type ManagedPolicyInput = z.input<typeof ManagedPolicy>;

/** One problem in a managed policy file, explained. */
export const ManagedProblem = z.object({
  /** JSON path: `rules[0].effect`, or `` for the whole file. */
  path: z.string(),
  /** 1-based line in the file, when known. */
  line: z.number().int().optional(),
  message: z.string(),
});
export type ManagedProblem = z.infer<typeof ManagedProblem>;

/** Where the managed policy stands: no file, a valid one in force, or a broken one (fail closed). */
export const ManagedState = z.discriminatedUnion('state', [
  z.object({ state: z.literal('none'), path: z.string() }),
  z.object({ state: z.literal('active'), path: z.string(), loadedAt: z.string(), managedBy: z.string() }),
  z.object({ state: z.literal('invalid'), path: z.string(), loadedAt: z.string(), problems: z.array(ManagedProblem), message: z.string() }),
]);
export type ManagedState = z.infer<typeof ManagedState>;

/** Where an effective value comes from. */
export const ValueSource = z.enum(['managed', 'user', 'default']);
export type ValueSource = z.infer<typeof ValueSource>;

export const Sourced = <T extends z.ZodType>(value: T) => z.object({ value, source: ValueSource, locked: z.boolean() });

/** The effective policy and each value's source: `warden policy show`, the UI's locks. */
export const EffectivePolicy = z.object({
  managed: ManagedState,
  /** The person's own files that could not be read (why, per file): what they hold is missing from this view. */
  unreadable: z.array(z.string()).optional(),
  /** "your organisation" when the file does not say. */
  managedBy: z.string(),
  contact: z.string().optional(),
  settings: z.object({
    approvalTimeoutSeconds: Sourced(z.number()),
    allowAlwaysAllow: Sourced(z.boolean()),
    allowPayloadCapture: Sourced(z.boolean()),
    autoUpdate: Sourced(z.boolean()),
  }),
  servers: z.array(
    z.object({
      name: z.string(),
      /** Configured in Warden (servers.json), or only named by the managed policy. */
      configured: z.boolean(),
      tier: Sourced(Tier),
      /** Why the server cannot be added or connected; absent when it can. */
      forbidden: z.object({ reason: z.string(), source: z.literal('managed') }).optional(),
    }),
  ),
  onlyListedServers: Sourced(z.boolean()),
  forbid: ManagedForbid,
  rules: z.array(
    z.object({ id: z.string(), effect: Effect, server: z.string(), tool: z.string(), when: z.array(ArgConstraint), client: z.string().optional(), reason: z.string().optional(), source: z.enum(['managed', 'user']), locked: z.boolean(), ignored: z.string().optional() }),
  ),
  audit: z.object({
    syslog: Sourced(z.array(SyslogDestination)),
    retentionDays: z.object({ value: z.number(), source: ValueSource, minimum: z.number().optional() }),
  }),
});
export type EffectivePolicy = z.infer<typeof EffectivePolicy>;
