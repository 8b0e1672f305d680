/** `Authorization: Basic` checked against bcrypt hashes (exporter-toolkit's basic_auth_users). */
import { createHash } from "node:crypto";
import { sharedPasswordChecks, type CheckResult, type PasswordChecks } from "./password-checks.js";

/** Allowed, refused, or "busy": too many password checks pending (answered 429 at once). */
export type GuardResult = boolean | "busy";
export type Guard = (authorization: string | undefined) => Promise<GuardResult>;

/**
 * Outcomes of checks already made, as exporter-toolkit keeps them: keyed on the user, the user's hash
 * and the password given, so that a changed hash misses and an unchanged one survives a rewrite of the
 * file. Failures are kept too, so that a client repeating a wrong password costs one check. Successes
 * and failures are bounded apart (the oldest goes first): a flood of different wrong passwords never
 * pushes out a verified client, which would then queue behind the flood.
 */
export class VerifiedCache {
  private readonly ok = new Map<string, true>();
  private readonly failed = new Map<string, false>();

  constructor(
    private readonly max = 256,
    private readonly maxVerified = 64,
  ) {}

  get(key: string): boolean | undefined {
    return this.ok.get(key) ?? this.failed.get(key);
  }

  set(key: string, ok: boolean): void {
    const [map, max] = ok ? [this.ok, this.maxVerified] : [this.failed, this.max];
    map.delete(key);
    map.set(key, ok as never);
    if (map.size > max) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
  }

  get size(): number {
    return this.ok.size + this.failed.size;
  }
}

const BCRYPT = /^\$2[aby]?\$(\d\d)\$/;

/** The cost of a bcrypt hash (its 2-digit field). */
export const bcryptCost = (hash: string): number => Number(BCRYPT.exec(hash)?.[1] ?? 0);

/**
 * A hash that no password matches in practice, of the given cost: checked for unknown users so that a
 * wrong user name costs what a wrong password costs.
 */
export const dummyHash = (cost: number): string =>
  `$2b$${String(cost).padStart(2, "0")}$C6UzMDM.H6dfI/f/IKcEeO5m8yXyiZ3Eo7AFMUJ9o2Q/OqGcqLfQm`;

const digest = (parts: readonly string[]): string =>
  createHash("sha256").update(parts.join("\u0000")).digest("hex");

/** The scheme is case-insensitive (RFC 9110 §11.1); one or more spaces before the credentials. */
const BASIC = /^basic[ \t]+/i;

/**
 * Checks `Authorization: Basic`. Unknown users are checked against a hash of the highest cost in the
 * file, so that timing tells nothing about which user names exist.
 */
export const basicAuthGuard = (
  users: Readonly<Record<string, string>>,
  checks: PasswordChecks = sharedPasswordChecks(),
  cache: VerifiedCache = new VerifiedCache(),
): Guard => {
  const highest = Math.max(10, ...Object.values(users).map(bcryptCost));
  const dummy = dummyHash(highest);
  return async (authorization) => {
    if (authorization === undefined) return false;
    const scheme = BASIC.exec(authorization);
    if (!scheme) return false;
    const decoded = Buffer.from(authorization.slice(scheme[0].length).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const known = Object.hasOwn(users, user) ? users[user] : undefined;
    const hash = known ?? dummy;
    const key = digest([user, hash, password]);
    const cached = cache.get(key);
    if (cached !== undefined) return cached && known !== undefined;
    const ok: CheckResult = await checks.compare(password, hash);
    if (ok === "busy") return "busy";
    cache.set(key, ok);
    return ok && known !== undefined;
  };
};
