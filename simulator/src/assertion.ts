/** Verifies client assertions (RFC 7523 JWT bearer) as an IdentityServer would, with the registered certificate. */
import { X509Certificate, createHash } from "node:crypto";
import { errors, importX509, jwtVerify } from "jose";

export type AssertionResult = { ok: true } | { ok: false; reason: string };

export interface AssertionVerifier {
  verify(assertion: string, audience: string | string[]): Promise<AssertionResult>;
  /** How many distinct jti values have been accepted (and are now refused). */
  readonly usedJti: number;
}

/** @throws Error when the PEM is not a certificate. */
export function createAssertionVerifier(certificatePem: string, clientId: string): AssertionVerifier {
  const cert = new X509Certificate(certificatePem);
  const thumbprint = createHash("sha1").update(cert.raw).digest("base64url");
  const thumbprintS256 = createHash("sha256").update(cert.raw).digest("base64url");
  const keyPromise = importX509(cert.toString(), "RS256");
  const used = new Set<string>();

  async function verify(assertion: string, audience: string | string[]): Promise<AssertionResult> {
    let payload;
    let header;
    try {
      ({ payload, protectedHeader: header } = await jwtVerify(assertion, await keyPromise, {
        algorithms: ["RS256"],
        audience,
        issuer: clientId,
        subject: clientId,
        requiredClaims: ["exp", "jti"],
      }));
    } catch (err) {
      return { ok: false, reason: describe(err) };
    }
    if (typeof header.x5t === "string" && header.x5t !== thumbprint) {
      return { ok: false, reason: "x5t does not match the registered certificate" };
    }
    const s256 = header["x5t#S256"];
    if (typeof s256 === "string" && s256 !== thumbprintS256) {
      return { ok: false, reason: "x5t#S256 does not match the registered certificate" };
    }
    const jti = payload.jti;
    if (typeof jti !== "string" || jti === "") return { ok: false, reason: "jti missing" };
    if (used.has(jti)) return { ok: false, reason: "jti already used (replay)" };
    used.add(jti);
    return { ok: true };
  }

  return {
    verify,
    get usedJti() {
      return used.size;
    },
  };
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "assertion expired";
  if (err instanceof errors.JWTClaimValidationFailed) return `claim ${err.claim} invalid: ${err.reason}`;
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return "signature does not verify with the registered certificate";
  if (err instanceof errors.JOSEAlgNotAllowed) return "algorithm not allowed (RS256 required)";
  if (err instanceof errors.JOSEError) return `invalid assertion: ${err.message}`;
  return "invalid assertion";
}
