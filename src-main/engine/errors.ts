// Errors that cross a boundary (CLI exit, MCP result, HTTP status) carry a stable code and a sentence
// that says what happened, to what, and what the person can do.
export type ErrorCode =
  | 'bad_input'
  | 'config_invalid'
  | 'config_changed'
  | 'server_unknown'
  | 'server_exists'
  | 'server_start_failed'
  | 'server_crashed'
  | 'engine_running'
  | 'engine_not_running'
  | 'engine_unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'denied'
  | 'audit_failed'
  | 'locked'
  | 'internal'
  // clients and secrets (engine/clients, engine/secrets)
  | 'client_unknown'
  | 'client_file_missing'
  | 'client_file_malformed'
  | 'client_file_unusable'
  | 'client_file_changed'
  | 'client_not_protected'
  | 'backup_invalid'
  | 'keychain_unavailable'
  | 'secret_missing';

export class WardenError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'WardenError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
