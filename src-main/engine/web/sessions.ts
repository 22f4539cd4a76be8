// Browser sessions of the web bridge. `warden serve` prints a URL with a one-time launch token; the first
// request that carries it gets a session (an HttpOnly cookie) and the token is spent.
import { randomBytes, timingSafeEqual } from 'node:crypto';

const LAUNCH_TOKEN_TTL_MS = 10 * 60_000;

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
  private readonly sessions = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A fresh one-time token for a launch URL. It expires unused after ten minutes. */
  issueLaunchToken(): string {
    const token = secret();
    this.launchTokens.set(token, this.now() + LAUNCH_TOKEN_TTL_MS);
    return token;
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
        this.sessions.add(session);
        return session;
      }
    }
    return undefined;
  }

  isSession(id: string | undefined): boolean {
    if (!id) return false;
    for (const known of this.sessions) if (sameSecret(known, id)) return true;
    return false;
  }

  endAll(): void {
    this.sessions.clear();
    this.launchTokens.clear();
  }
}
