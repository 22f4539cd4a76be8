// The words of ../DESIGN.md as types: one definition used by the engine, the CLI and the UI.
import { z } from 'zod';

export const Tier = z.enum(['trusted', 'standard', 'restricted', 'blocked']);
export type Tier = z.infer<typeof Tier>;

export const Risk = z.enum(['low', 'medium', 'high']);
export type Risk = z.infer<typeof Risk>;

export const Effect = z.enum(['allow', 'ask', 'deny']);
export type Effect = z.infer<typeof Effect>;

/** Outcome status of a call, as the audit log records it. */
export const CallStatus = z.enum(['ok', 'error', 'denied', 'timeout', 'cancelled']);
export type CallStatus = z.infer<typeof CallStatus>;

/** A server name doubles as a URL path segment and a CLI argument, so keep it plain. */
export const ServerName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use letters, digits, dot, dash or underscore (max 64), starting with a letter or digit');
