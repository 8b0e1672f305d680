/** `Authorization: Basic` checked against bcrypt hashes (exporter-toolkit's basic_auth_users). */
import { createHash, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";

/** Checks `Authorization: Basic`; successful checks are cached (bcrypt is slow on purpose). */
export const basicAuthGuard = (users: Readonly<Record<string, string>>) => {
  const verified = new Set<string>();
  const digest = (text: string): string => createHash("sha256").update(text).digest("hex");
  return async (authorization: string | undefined): Promise<boolean> => {
    if (!authorization?.startsWith("Basic ")) return false;
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const hash = Object.hasOwn(users, user) ? users[user] : undefined;
    const key = digest(`${user}\u0000${password}`);
    if (hash === undefined) {
      // Same work for unknown users, so timing does not tell which users exist.
      await bcrypt.compare(password, "$2a$10$C6UzMDM.H6dfI/f/IKcEeO5m8yXyiZ3Eo7AFMUJ9o2Q/OqGcqLfQm");
      return false;
    }
    for (const known of verified) if (timingSafeEqual(Buffer.from(known), Buffer.from(key))) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok) verified.add(key);
    return ok;
  };
};
