// Errors of the audit log, each with a stable code that crosses boundaries (CLI exit, MCP refusal).
export type AuditErrorCode =
  | 'AUDIT_WRITE_FAILED'
  | 'AUDIT_CLOSED'
  | 'AUDIT_BAD_OPTION'
  | 'AUDIT_BAD_TIME'
  | 'AUDIT_HEAD_UNREADABLE'
  | 'AUDIT_OUT_EXISTS'
  | 'AUDIT_OUT_UNWRITABLE';

export class AuditError extends Error {
  constructor(
    readonly code: AuditErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuditError';
  }
}
