// Shared helpers for the audit tests: a fresh data directory and tool calls to record.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision, ToolCall } from '../../../src-main/engine/pipeline.js';
import { dataPaths } from '../../../src-main/engine/paths.js';

export async function freshPaths() {
  const dir = await mkdtemp(join(tmpdir(), 'warden-audit-'));
  return { paths: dataPaths(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const signal = new AbortController().signal;

export function makeCall(i: number, over: Partial<ToolCall> = {}): ToolCall {
  return {
    callId: `call-${i}`,
    sessionId: 'session-1',
    client: { id: 'client-a', name: 'Claude Desktop', version: '1.2.3' },
    server: 'files',
    tool: i % 2 === 0 ? 'read_file' : 'write_file',
    arguments: { path: `/home/me/notes-${i}.txt` },
    signal,
    startedAt: Date.now(),
    ...over,
  };
}

export const allow: Decision = { effect: 'allow', ruleId: 'tier:standard/low', reasons: ['Low-risk tool on a standard server.'], approver: 'policy', risk: 'low' };
export const deny: Decision = { effect: 'deny', ruleId: 'rule:r7', reasons: ['Writes outside the project are refused.'], approver: 'policy', risk: 'high' };
