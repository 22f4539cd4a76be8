// Browser sessions of the web bridge. `warden serve` prints a URL with a one-time launch token; the page
// spends it for a session secret (web-session.ts). A session unused for SESSION_IDLE_MS ends (an open
// event stream counts as use).
import { randomBytes, timingSafeEqual } from 'node:crypto';

const LAUNCH_TOKEN_TTL_MS = 10 * 60_000;
const SESSION_IDLE_MS = 12 * 3_600_000;

function secret(): string {
  return randomBytes(32).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class BrowserSessions {
  private readonly launchTokens = new Map<string, number>();
  /** Session secret -> when it was last used. */
  private readonly sessions = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A fresh one-time token for a launch URL. It expires unused after ten minutes. */
  issueLaunchToken(): string {
    const token = secret();
    this.launchTokens.set(token, this.now() + LAUNCH_TOKEN_TTL_MS);
    return token;
  }

  /** Whether a launch token would be accepted now (it is not spent by asking). */
  isLaunchToken(token: string): boolean {
    for (const [known, expires] of this.launchTokens) if (expires >= this.now() && sameSecret(known, token)) return true;
    return false;
  }

  /** Spends a launch token: a new session id, or undefined when the token is unknown, spent or expired. */
  redeem(token: string): string | undefined {
    for (const [known, expires] of this.launchTokens) {
      if (expires < this.now()) {
        this.launchTokens.delete(known);
        continue;
      }
      if (sameSecret(known, token)) {
        this.launchTokens.delete(known);
        const session = secret();
        this.sessions.set(session, this.now());
        return session;
      }
    }
    return undefined;
  }

  /** Whether `id` is a live session; using one keeps it alive. */
  isSession(id: string | undefined): boolean {
    if (!id) return false;
    const now = this.now();
    for (const [known, used] of this.sessions) {
      if (used + SESSION_IDLE_MS < now) {
        this.sessions.delete(known);
        continue;
      }
      if (sameSecret(known, id)) {
        this.sessions.set(known, now);
        return true;
      }
    }
    return false;
  }

  endAll(): void {
    this.sessions.clear();
    this.launchTokens.clear();
  }
}
