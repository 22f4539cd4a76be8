// The few line icons the UI uses, drawn inline (no icon font, nothing fetched).
const PATHS = {
  shield: 'M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6l7-3z',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  inbox: 'M4 13l2.5-8h11L20 13v6H4v-6zm0 0h5l1 2h4l1-2h5',
  server: 'M4 5h16v6H4zM4 13h16v6H4zM7 8h.01M7 16h.01',
  activity: 'M3 12h4l3-8 4 16 3-8h4',
  clients: 'M4 5h16v11H4zM9 20h6M12 16v4',
  settings: 'M12 9a3 3 0 100 6 3 3 0 000-6zm8 3l-2-1 .5-2.2-1.8-1.8L14.5 7.5 13 5h-2l-1.5 2.5-2.2-.5-1.8 1.8.5 2.2-2 1v2l2 1-.5 2.2 1.8 1.8 2.2-.5L11 21h2l1.5-2.5 2.2.5 1.8-1.8-.5-2.2 2-1z',
  close: 'M6 6l12 12M18 6L6 18',
  lock: 'M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 017 0v3',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 18, title }: { name: IconName; size?: number; title?: string }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden={title ? undefined : true} role={title ? 'img' : undefined}>
      {title ? <title>{title}</title> : null}
      <path d={PATHS[name]} />
    </svg>
  );
}
