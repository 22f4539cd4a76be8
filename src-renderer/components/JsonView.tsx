// Arguments and payloads, pretty-printed, in a collapsible block.
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function JsonView({ value, label, open, onToggle }: { value: unknown; label: string; open?: boolean; onToggle?: (open: boolean) => void }) {
  return (
    <details open={open} onToggle={(e) => onToggle?.((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{label}</summary>
      <pre className="args" tabIndex={0} aria-label={label}>{prettyJson(value)}</pre>
    </details>
  );
}
