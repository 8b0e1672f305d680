/**
 * Access tokens (OAuth2 client credentials) with a client secret or a certificate assertion.
 * One token is reused until shortly before it expires; concurrent callers share one fetch.
 */
import { createPrivateKey, randomUUID, X509Certificate, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import type { Credentials } from "../config/config.js";
import { clipRedacted, learnSecret, redactor, secretsOf } from "../config/secrets.js";
import { AuthError, isDeadlineError, isUpstreamError, UpstreamError } from "../errors.js";
import type { Transport } from "./transport.js";
import type { ApiObserver } from "./observer.js";
import { systemClock, type CallContext, type Clock } from "./call-context.js";

export interface TokenSource {
  /**
   * @throws AuthError when the identity service refuses; UpstreamError with the reason of the failure
   *   (network, tls, http_5xx, ...) when it cannot be reached or gives no usable answer.
   */
  get(ctx: CallContext): Promise<string>;
  /** Forget `token` (after a 401); a newer token fetched meanwhile is kept. */
  invalidate(token: string): void;
}

export interface TokenProviderOptions {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly credentials: Credentials;
  readonly observer: ApiObserver;
  readonly clock?: Clock;
}

/** The endpoint template of token requests in metrics and messages. */
export const TOKEN_ENDPOINT = "token";

/** Refresh this long before expiry, or at 90% of a short lifetime. */
const REFRESH_MARGIN_MS = 60_000;

/** The most of the identity service's own words an error message carries (error code, description). */
const MAX_ERROR_CODE = 100;
const MAX_ERROR_DESCRIPTION = 200;

export class TokenProvider implements TokenSource {
  private current: { token: string; refreshAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  /** The last failure, refusal or unreachable service, answered to the rest of its collection. */
  private refused: { error: UpstreamError; signal: AbortSignal } | null = null;
  private readonly clock: Clock;
  private readonly assertion: AssertionSigner | null;
  /** The identity service may echo what it was sent: its words pass through this before any message. */
  private readonly redact: (text: string) => string;

  constructor(
    private readonly transport: Transport,
    private readonly options: TokenProviderOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.redact = redactor(secretsOf(options.credentials, options.clientId));
    this.assertion =
      options.credentials.kind === "certificate"
        ? new AssertionSigner(options.credentials, options.clientId, options.tokenUrl, this.clock)
        : null;
  }

  get(ctx: CallContext): Promise<string> {
    const now = this.clock.now();
    if (this.current && now < this.current.refreshAt) return Promise.resolve(this.current.token);
    // A refusal (or an unreachable identity service) answers the rest of the same collection, which
    // then asks once, not once per customer.
    if (this.refused?.signal === ctx.signal) return Promise.reject(this.refused.error);
    this.inflight ??= this.fetch(ctx)
      .catch((err: unknown) => {
        if (isUpstreamError(err) && err.reason !== "timeout")
          this.refused = { error: err, signal: ctx.signal };
        throw err;
      })
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  invalidate(token: string): void {
    if (this.current?.token === token) this.current = null;
  }

  /** Redacted before the cut and after it, so that a secret split by the cut leaves no piece behind. */
  private clip(text: string, max: number): string {
    return clipRedacted(text, max, this.redact);
  }

  private async fetch(ctx: CallContext): Promise<string> {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.options.clientId,
      scope: this.options.scopes.join(" "),
    });
    if (this.options.credentials.kind === "secret") {
      form.set("client_secret", this.options.credentials.clientSecret);
    } else {
      form.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      form.set("client_assertion", await this.assertion!.sign());
    }
    let response;
    try {
      response = await this.transport.send(
        {
          method: "POST",
          url: this.options.tokenUrl,
          endpoint: TOKEN_ENDPOINT,
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: form.toString(),
        },
        ctx,
      );
    } catch (err) {
      // Running out of time is the collection's deadline, not a failure of the credentials.
      if (isDeadlineError(err) || (isUpstreamError(err) && err.reason === "timeout")) throw err;
      this.options.observer.tokenRequest("failure");
      // No answer (name lookup, connection, TLS) or no usable one (5xx, too large) says nothing of the
      // credentials: the failure keeps its own reason, and only a refusal below is `auth`.
      const detail = isUpstreamError(err)
        ? this.clip(err.message.replace(/^token: /, ""), MAX_ERROR_DESCRIPTION)
        : "request failed";
      throw new UpstreamError(
        `cannot get a token from the identity service: ${detail}`,
        isUpstreamError(err) ? err.reason : "network",
        TOKEN_ENDPOINT,
      );
    }
    const body = safeJson(response.body);
    if (response.status !== 200 || typeof body?.access_token !== "string") {
      this.options.observer.tokenRequest("failure");
      const error =
        typeof body?.error === "string"
          ? this.clip(body.error, MAX_ERROR_CODE)
          : "no access_token in the answer";
      const description =
        typeof body?.error_description === "string"
          ? ` (${this.clip(body.error_description, MAX_ERROR_DESCRIPTION)})`
          : "";
      throw new AuthError(
        `identity service refused the token request: HTTP ${response.status} ${error}${description}`,
      );
    }
    this.options.observer.tokenRequest("success");
    // From now on every log line, error and page is cleaned of it (an upstream may echo it anywhere).
    learnSecret(body.access_token);
    this.refused = null;
    const lifetimeMs =
      (typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
    const now = this.clock.now();
    this.current = {
      token: body.access_token,
      refreshAt: now + Math.max(lifetimeMs * 0.9, lifetimeMs - REFRESH_MARGIN_MS),
    };
    return body.access_token;
  }
}

const safeJson = (text: string): Record<string, unknown> | null => {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

/** Signs RS256 client assertions (RFC 7523) with the certificate's key; `x5t` = SHA-1 thumbprint. */
export class AssertionSigner {
  private readonly key: KeyObject;
  private readonly x5t: string;

  /** @throws Error when the key cannot be read (wrong password, not a private key). */
  constructor(
    credentials: Extract<Credentials, { kind: "certificate" }>,
    private readonly clientId: string,
    private readonly audience: string,
    private readonly clock: Clock,
  ) {
    this.key = createPrivateKey(
      credentials.privateKeyPassword === null
        ? { key: credentials.privateKeyPem }
        : { key: credentials.privateKeyPem, passphrase: credentials.privateKeyPassword },
    );
    const fingerprint = new X509Certificate(credentials.certificatePem).fingerprint; // SHA-1, "AA:BB:..."
    this.x5t = Buffer.from(fingerprint.replaceAll(":", ""), "hex").toString("base64url");
  }

  sign(): Promise<string> {
    const now = Math.floor(this.clock.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: "RS256", typ: "JWT", x5t: this.x5t })
      .setIssuer(this.clientId)
      .setSubject(this.clientId)
      .setAudience(this.audience)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 300)
      .sign(this.key);
  }
}
