// A server's tools with their policy view, and its tier. Filled from the guardian's API.
import type { Tier } from '../../shared/words.js';

export function TierSelect({ tier }: { server: string; tier: Tier }) {
  return <span className={`pill ${tier}`}>{tier}</span>;
}

export function ServerTools(_props: { server: string }) {
  return <p className="muted">Tools appear here once the server has been listed.</p>;
}
