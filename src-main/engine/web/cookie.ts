// The browser session cookie: its name, how it is set, how it is read. Pure.

/** Cookies are not isolated by port, so two engines on one machine each get their own name. */
export function sessionCookieName(port: number): string {
  return `warden_session_${port}`;
}

/** HttpOnly: scripts cannot read it. SameSite=Strict: no other site's page can make the browser send it. */
export function sessionCookie(port: number, sessionId: string): string {
  return `${sessionCookieName(port)}=${sessionId}; Path=/; HttpOnly; SameSite=Strict`;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
