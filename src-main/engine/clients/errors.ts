// Errors of the clients and secrets modules: WardenErrors (so every boundary carries their code) with
// the codes these modules use. Each says what happened, to which file, and what the person can do.
import { WardenError, type ErrorCode } from '../errors.js';

export type ClientsErrorCode = Extract<
  ErrorCode,
  | 'bad_input'
  | 'client_unknown'
  | 'client_file_missing'
  | 'client_file_malformed'
  | 'client_file_unusable'
  | 'client_file_changed'
  | 'client_not_protected'
  | 'backup_invalid'
  | 'keychain_unavailable'
  | 'secret_missing'
>;

export class ClientsError extends WardenError {
  declare readonly code: ClientsErrorCode;
  constructor(code: ClientsErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'ClientsError';
  }
}
