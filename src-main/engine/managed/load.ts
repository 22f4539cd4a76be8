// Reads the managed policy file once: absent (no managed policy), valid (in force) or broken (fail
// closed). A file that exists but cannot be read counts as broken, never as absent.
import { readFileSync } from 'node:fs';
import type { ManagedPolicy, ManagedState } from '../../../shared/managed.js';
import { parseManagedPolicy, summarizeProblems } from './explain.js';

export interface LoadedManaged {
  state: ManagedState;
  policy?: ManagedPolicy;
  /** The file's text as read (to notice real changes), undefined when absent. */
  text?: string;
}

export const DEFAULT_MANAGER = 'your organisation';

export function loadManagedPolicy(path: string, now: () => number = Date.now): LoadedManaged {
  const loadedAt = new Date(now()).toISOString();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: { state: 'none', path } };
    const problems = [{ path: '', message: `the file cannot be read (${code ?? (error as Error).message}). Check its permissions: it must be readable by every user.` }];
    return { state: { state: 'invalid', path, loadedAt, problems, message: summarizeProblems(path, problems) } };
  }
  const parsed = parseManagedPolicy(text.replace(/^\uFEFF/, ''));
  if (!parsed.ok) return { text, state: { state: 'invalid', path, loadedAt, problems: parsed.problems, message: summarizeProblems(path, parsed.problems) } };
  return { text, policy: parsed.policy, state: { state: 'active', path, loadedAt, managedBy: parsed.policy.managedBy ?? DEFAULT_MANAGER } };
}

/**
 * The policy decisions see. While the file is broken, one managed rule denies every call and names
 * the file and the problem: nothing is forwarded, and nothing is silently ignored.
 */
export function decisionPolicy(loaded: LoadedManaged): ManagedPolicy | undefined {
  if (loaded.state.state === 'active') return loaded.policy;
  if (loaded.state.state === 'none') return undefined;
  return {
    version: 1,
    servers: {},
    onlyListedServers: false,
    forbid: { servers: [], commands: [], packages: [], urls: [] },
    rules: [
      {
        id: 'policy-file-invalid',
        effect: 'deny',
        server: '*',
        tool: '*',
        when: [],
        reason: `${loaded.state.message} Warden forwards no call while the managed policy is broken; ask IT to fix or remove the file`,
      },
    ],
    settings: {},
    audit: {},
  };
}

/** The managed policy file read now, for code without an engine (the CLI, servers.json writes). */
export function managedFileView(path: string): { state(): ManagedState; policy(): ManagedPolicy | undefined; forDecisions(): ManagedPolicy | undefined } {
  const loaded = loadManagedPolicy(path);
  const decisions = decisionPolicy(loaded);
  return { state: () => loaded.state, policy: () => loaded.policy, forDecisions: () => decisions };
}
