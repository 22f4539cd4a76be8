// The two points every tools/call passes through in the gateway: one decision point and one audit
// point. The gateway never forwards a call around them. The guardian (policy + approvals) fills the
// decision point; the audit log fills the audit point.
import type { Risk, CallStatus } from '../../shared/words.js';
import type { Tool } from './mcp/sdk.js';

/** Who is calling: `id` is bound to the bearer token; name/version are what the client claimed at initialize. */
export interface ClientIdentity {
  id: string;
  name?: string;
  version?: string;
}

export interface ToolCall {
  /** Unique per call, across sessions. */
  callId: string;
  /** The client-facing MCP session. */
  sessionId: string;
  client: ClientIdentity;
  server: string;
  tool: string;
  arguments: Record<string, unknown>;
  /** The definition the server last listed for this tool in this session, if it was listed. */
  definition?: Tool;
  progressToken?: string | number;
  /** Aborted when the client cancels the call or its session ends. */
  signal: AbortSignal;
  startedAt: number;
}

/** The final effect for one call. An `ask` is resolved inside the decision point (approval broker). */
export interface Decision {
  effect: 'allow' | 'deny';
  /** The rule that matched: e.g. `tier:standard/low`, `rule:r12`, `consent:c3`, `managed:m1`. */
  ruleId: string;
  reasons: string[];
  risk?: Risk;
  consentId?: string;
  /** Who decided: `policy`, `user:<how>`, `timeout`, `managed`. */
  approver?: string;
  /** For a deny: whether it came from a rule, from an approval timing out, or from the client cancelling the call while it waited. */
  status?: Extract<CallStatus, 'denied' | 'timeout' | 'cancelled'>;
}

/** What the decision point may do with the client while a call waits. */
export interface WaitingChannel {
  /** Sends a progress notification to the client, when it gave a progress token. */
  progress(message: string): void;
  /** Asks the person inside the client (MCP elicitation), when the client supports it. */
  elicit?(message: string, requestedSchema: Record<string, unknown>): Promise<{ action: string; content?: Record<string, unknown> }>;
}

export interface DecisionPoint {
  decide(call: ToolCall, channel: WaitingChannel): Promise<Decision>;
  /** Sees every tools/list result before the client does: records pins, hides what must be hidden. */
  listTools(server: string, client: ClientIdentity, tools: Tool[]): Promise<Tool[]>;
}

export interface CallOutcome {
  status: CallStatus;
  durationMs: number;
  /** The server's result or error, for opt-in payload capture only. Never logged by default. */
  result?: unknown;
  errorMessage?: string;
}

export interface AuditPoint {
  /** Written before a call is forwarded. If this rejects, the call does not go through. */
  decided(call: ToolCall, decision: Decision): Promise<void>;
  finished(call: ToolCall, decision: Decision, outcome: CallOutcome): Promise<void>;
  /** Anything else worth a record: engine start/stop, config changes, consents, pin acceptances. */
  event(kind: string, data: Record<string, unknown>): Promise<void>;
}

/** Until the guardian lands: every call is allowed, by a rule that says so. */
export const allowAll: DecisionPoint = {
  async decide() {
    return { effect: 'allow', ruleId: 'gateway:allow-all', reasons: ['No policy is configured yet: the gateway allows every call.'], approver: 'policy' };
  },
  async listTools(_server, _client, tools) {
    return tools;
  },
};
