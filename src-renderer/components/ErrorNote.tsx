import type { ApiRequestError } from '../api/transport.js';

export function ErrorNote({ error }: { error: ApiRequestError | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error.message} <span className="mono muted">({error.code})</span>
    </p>
  );
}
