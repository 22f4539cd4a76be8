// The `audit.retention` record names the last seq and hash that retention removed; the remaining
// log may start there. Pure.

export interface RetentionAnchor {
  removedThroughSeq: number;
  removedLastHash: string;
  removed: string[];
}

export function readRetentionAnchor(line: string): RetentionAnchor | undefined {
  try {
    const record = JSON.parse(line) as { type?: string; event?: string; data?: Partial<RetentionAnchor> };
    const data = record.data;
    if (record.type !== 'event' || record.event !== 'audit.retention' || !data) return undefined;
    if (typeof data.removedThroughSeq !== 'number' || typeof data.removedLastHash !== 'string') return undefined;
    return { removedThroughSeq: data.removedThroughSeq, removedLastHash: data.removedLastHash, removed: Array.isArray(data.removed) ? data.removed.map(String) : [] };
  } catch {
    return undefined;
  }
}

export function findRetentionAnchor(anchors: RetentionAnchor[], firstSeq: number, firstPrev: string): RetentionAnchor | undefined {
  return anchors.find((a) => a.removedThroughSeq === firstSeq - 1 && a.removedLastHash === firstPrev);
}
