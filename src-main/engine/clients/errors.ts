// Errors of the clients and secrets modules. Each carries a stable code (for the CLI exit, the API and
// tests) and a sentence that says what happened, to which file, and what the person can do.
export type ClientsErrorCode =
  | 'bad_input'
  | 'client_unknown'
  | 'client_file_missing'
  | 'client_file_malformed'
  | 'client_file_changed'
  | 'client_not_protected'
  | 'backup_invalid'
  | 'keychain_unavailable'
  | 'secret_missing';

export class ClientsError extends Error {
  constructor(
    readonly code: ClientsErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ClientsError';
  }
}
