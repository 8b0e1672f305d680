/** Issued access tokens: random opaque strings remembered with their expiry and scopes. */
import { randomBytes } from "node:crypto";

interface TokenEntry {
  expiresAt: number;
  scopes: ReadonlySet<string>;
  /** The app registration the token was issued to; the rate limit counts per client. */
  clientId: string;
}

export type TokenCheck =
  { ok: true; scopes: ReadonlySet<string>; clientId: string } | { ok: false; reason: "unknown" | "expired" };

/** Above this many remembered tokens, expired ones are swept on the next issue. */
const SWEEP_THRESHOLD = 10_000;

export class TokenStore {
  readonly #tokens = new Map<string, TokenEntry>();

  issue(clientId: string, scopes: readonly string[], lifetimeSeconds: number): string {
    if (this.#tokens.size > SWEEP_THRESHOLD) this.#sweep();
    const token = randomBytes(32).toString("base64url");
    this.#tokens.set(token, {
      expiresAt: Date.now() + lifetimeSeconds * 1000,
      scopes: new Set(scopes),
      clientId,
    });
    return token;
  }

  check(token: string): TokenCheck {
    const entry = this.#tokens.get(token);
    if (!entry) return { ok: false, reason: "unknown" };
    if (Date.now() >= entry.expiresAt) return { ok: false, reason: "expired" };
    return { ok: true, scopes: entry.scopes, clientId: entry.clientId };
  }

  #sweep(): void {
    const now = Date.now();
    for (const [token, entry] of this.#tokens) if (now >= entry.expiresAt) this.#tokens.delete(token);
  }
}

/** The bearer token of an Authorization header, or null. */
export function bearerOf(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}
