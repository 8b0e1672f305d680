/** Builds the AvePoint client stack for a configuration: transport, tokens, flavor. */
import type { ApiFlavor, Config } from "../config/config.js";
import { ApiClient } from "./client.js";
import { ModernApi, modernEndpoints } from "./flavors/modern.js";
import type { PartnerApi } from "./flavors/partner-api.js";
import { V3_BATCH_ENDPOINTS, V3BatchApi } from "./flavors/v3-batch.js";
import { V3_ENDPOINTS, V3Api } from "./flavors/v3.js";
import type { ApiObserver } from "./observer.js";
import { Transport } from "./transport.js";
import { RotatingTokens } from "./rotating-tokens.js";

export type { PartnerApi } from "./flavors/partner-api.js";
export type { ApiObserver } from "./observer.js";
export type { CallContext } from "./call-context.js";
export { RETRY_REASONS, type RetryReason } from "./retry.js";

export { TOKEN_ENDPOINT } from "./auth.js";

/**
 * Every API endpoint template the configured flavor calls (token requests not included): the
 * known values of the `endpoint` label, so that their counters can start at 0.
 */
export const apiEndpoints = (
  avepoint: Pick<Config["avepoint"], "flavor" | "modernDailyRoute">,
): readonly string[] =>
  avepoint.flavor === "v3"
    ? V3_ENDPOINTS
    : avepoint.flavor === "v3-batch"
      ? V3_BATCH_ENDPOINTS
      : modernEndpoints(avepoint.modernDailyRoute);

/** One constructor per API flavor. */
const FLAVORS: Record<ApiFlavor, (client: ApiClient, avepoint: Config["avepoint"]) => PartnerApi> = {
  v3: (client) => new V3Api(client),
  "v3-batch": (client) => new V3BatchApi(client),
  modern: (client, avepoint) => new ModernApi(client, avepoint.modernDailyRoute),
};

export interface AvePointStack {
  readonly api: PartnerApi;
  readonly transport: Transport;
  /** The token source; its credentials can be replaced at run time (reload). */
  readonly tokens: RotatingTokens;
}

/** @throws Error when a certificate's private key cannot be read (wrong password, bad PEM). */
export const createAvePointApi = (
  avepoint: Config["avepoint"],
  observer: ApiObserver,
  userAgent: string,
): AvePointStack => {
  const transport = new Transport({
    concurrency: avepoint.concurrency,
    rateLimit: avepoint.rateLimit,
    requestTimeoutSeconds: avepoint.requestTimeoutSeconds,
    maxRetries: avepoint.maxRetries,
    maxResponseBytes: avepoint.maxResponseBytes,
    maxStreamedBytes: avepoint.maxReportBytes,
    streamedTimeoutSeconds: avepoint.reportTimeoutSeconds,
    adaptiveRate: avepoint.adaptiveRate,
    maxRetryAfterSeconds: avepoint.maxRetryAfterSeconds,
    userAgent,
    observer,
  });
  const tokens = new RotatingTokens(transport, {
    tokenUrl: avepoint.tokenUrl,
    clientId: avepoint.clientId,
    scopes: avepoint.scopes,
    credentials: avepoint.credentials,
    observer,
  });
  const client = new ApiClient(avepoint.apiUrl, transport, tokens, observer);
  const api = FLAVORS[avepoint.flavor](client, avepoint);
  return { api, transport, tokens };
};
