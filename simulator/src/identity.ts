/** The identity service's token endpoint (OAuth2 client credentials), answering errors the way IdentityServer does. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AssertionVerifier } from "./assertion.js";
import { readBody, sendJson } from "./http-util.js";
import type { TokenStore } from "./tokens.js";
import type { SimFaults, SimFlavor } from "./types.js";

export const TOKEN_PATH = "/connect/token";

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export const FLAVOR_SCOPES: Readonly<Record<SimFlavor, readonly string[]>> = {
  v3: ["elements.customers.read.all", "elements.scanprofiles.read.all"],
  "v3-batch": ["elements.customers.read.all", "elements.scanprofiles.read.all"],
  modern: ["partner.customers.read.all", "partner.scanprofiles.read.all"],
};

export interface IdentityDeps {
  flavor: SimFlavor;
  clientId: string;
  clientSecret: string | null;
  verifier: AssertionVerifier | null;
  tokens: TokenStore;
  /** Accepted `aud` values of client assertions. */
  tokenUrls: () => string[];
  faults: () => SimFaults;
}

const oauthError = (res: ServerResponse, status: number, error: string, description?: string): void =>
  sendJson(res, status, description === undefined ? { error } : { error, error_description: description }, {
    "Cache-Control": "no-store",
  });

function faultError(status: number): string {
  if (status === 400 || status === 401) return "invalid_client";
  if (status === 403) return "unauthorized_client";
  if (status === 503) return "temporarily_unavailable";
  return "server_error";
}

export async function handleToken(
  req: IncomingMessage,
  res: ServerResponse,
  deps: IdentityDeps,
): Promise<void> {
  if (req.method !== "POST") {
    res.setHeader("Allow", "POST");
    return oauthError(res, 405, "invalid_request", "POST required");
  }
  const text = await readBody(req, 65_536);
  const faults = deps.faults();
  if (faults.tokenStatus !== null) return oauthError(res, faults.tokenStatus, faultError(faults.tokenStatus));
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
    return oauthError(res, 400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
  }
  const form = new URLSearchParams(text);
  const clientId = form.get("client_id");
  if (clientId === null || clientId !== deps.clientId) return oauthError(res, 400, "invalid_client");

  const assertion = form.get("client_assertion");
  const assertionType = form.get("client_assertion_type");
  if (assertion !== null || assertionType !== null) {
    if (assertionType !== ASSERTION_TYPE || assertion === null || assertion === "") {
      return oauthError(
        res,
        400,
        "invalid_client",
        "client_assertion_type must be jwt-bearer with a client_assertion",
      );
    }
    if (!deps.verifier)
      return oauthError(res, 400, "invalid_client", "no certificate registered for this client");
    const result = await deps.verifier.verify(assertion, deps.tokenUrls());
    if (!result.ok) return oauthError(res, 400, "invalid_client", result.reason);
  } else {
    const secret = form.get("client_secret");
    if (deps.clientSecret === null || secret === null || secret !== deps.clientSecret) {
      return oauthError(res, 400, "invalid_client");
    }
  }

  if (form.get("grant_type") !== "client_credentials") return oauthError(res, 400, "unsupported_grant_type");

  const allowed = FLAVOR_SCOPES[deps.flavor];
  const requested = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
  if (requested.some((s) => !allowed.includes(s))) return oauthError(res, 400, "invalid_scope");
  // As IdentityServer: no scope asked → every scope the client is allowed.
  const scopes = requested.length > 0 ? [...new Set(requested)] : [...allowed];
  const lifetime = faults.tokenLifetimeSeconds;
  sendJson(
    res,
    200,
    {
      access_token: deps.tokens.issue(clientId, scopes, lifetime),
      expires_in: lifetime,
      token_type: "Bearer",
      scope: scopes.join(" "),
    },
    { "Cache-Control": "no-store", Pragma: "no-cache" },
  );
}
