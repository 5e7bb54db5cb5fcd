/**
 * Server-side sessions. The browser holds only a random session id, in an `HttpOnly`,
 * `SameSite=Lax` cookie (`Secure` except on loopback); the tokens stay here. A session ends on
 * sign-out, or after INACTIVITY_MS without a request. Each session has its own CSRF token, which
 * every form carries and every POST must return.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const INACTIVITY_MS = 30 * 60_000;
/** A sign-in begun but not finished (the person is at the provider) lasts this long. */
const SIGN_IN_MS = 10 * 60_000;

export interface SignedIn {
  readonly idToken: string;
  readonly subject: string;
  readonly name: string;
  readonly roles: readonly string[];
}

/** What the flow needs to check the provider's answer: PKCE verifier, state and nonce. */
export interface PendingSignIn {
  readonly codeVerifier: string;
  readonly state: string;
  readonly nonce: string;
}

export interface Session {
  readonly id: string;
  readonly csrfToken: string;
  user?: SignedIn;
  pending?: PendingSignIn;
  /** Forms filled over several pages, by journey, kept until sent so nothing typed is lost. */
  readonly drafts: Record<string, unknown>;
  lastSeen: number;
}

/**
 * Sessions in this process's memory: right for one local server. A deployment with several
 * instances needs them in a shared store with the same interface.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  create(): Session {
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      csrfToken: randomBytes(32).toString('base64url'),
      drafts: {},
      lastSeen: this.now(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, touched; an expired one is ended. */
  find(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const limit = session.user ? INACTIVITY_MS : SIGN_IN_MS;
    if (this.now() - session.lastSeen > limit) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeen = this.now();
    return session;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }
}

/** Whether the form's CSRF token is the session's, compared in constant time. */
export function csrfMatches(session: Session, sent: unknown): boolean {
  if (typeof sent !== 'string') return false;
  const expected = Buffer.from(session.csrfToken);
  const given = Buffer.from(sent);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
