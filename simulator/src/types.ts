/** Public types of the simulator (re-exported from `server.ts`). */

export type SimFlavor = "v3" | "modern" | "v3-batch";

export const SIM_FLAVORS: readonly SimFlavor[] = ["v3", "modern", "v3-batch"];

export type CustomerFault = number | "badjson" | "missing-field" | "hang";

export interface SimFaults {
  /** Fixed delay before every API answer. */
  latencyMs: number;
  /** Plus a uniform random 0..jitter. */
  latencyJitterMs: number;
  /** 0..1 fraction of API requests answered 500. */
  errorRate: number;
  /** 0..1 fraction of API requests answered 429. */
  throttleRate: number;
  /** The next N API requests answer 429, counting down. */
  throttleBurst: number;
  /**
   * The next N requests for the first page of the customer list (v3 `GET …/customers`, modern
   * `GET /partner/customers`, v3-batch `POST …/customers/batch`) answer 429, counting down.
   */
  customersThrottleBurst: number;
  /** Retry-After header value sent with injected 429s, any text; null = no header. */
  retryAfter: string | null;
  /**
   * A real rate limit in API requests/s per client id (token requests are not limited); null = none.
   * Requests above it get 429 with a Retry-After computed from the bucket, in whole seconds ≥ 1.
   */
  rateLimit: number | null;
  /** Bucket size of the rate limit; null = one second's worth (rateLimit, at least 1). */
  rateLimitBurst: number | null;
  /** 0..1 fraction of API 200s whose body is truncated invalid JSON. */
  malformedJsonRate: number;
  /** Per customer id: what any request under /customers/{id}/... gets instead of its answer. */
  failCustomers: Record<string, CustomerFault>;
  /** The token endpoint answers this error status instead of issuing; null = issue normally. */
  tokenStatus: number | null;
  /** expires_in of issued tokens; API requests with an expired token get 401. */
  tokenLifetimeSeconds: number;
}

export type ModernDailyRoutes = "legacy" | "summary" | "both";

export interface SimulatorOptions {
  host: string;
  port: number;
  flavor: SimFlavor;
  customers: number;
  /** Exactly this many for every customer, so request plans are predictable. */
  profilesPerCustomer: number;
  /** Same seed → same data, whatever the flavor. */
  seed: number;
  clientId: string;
  /** null = secret auth disabled. */
  clientSecret: string | null;
  /** Registered certificate (PEM) for certificate auth; null = certificate auth disabled. */
  clientCertificatePem: string | null;
  /** v3 only: 0..1 fraction of scan-profile list rows without lastScanStatus, counts and lastUpdateTime. */
  incompleteRowRate: number;
  /** modern: which daily endpoint spellings exist. */
  modernDailyRoutes: ModernDailyRoutes;
  /** Object lists behind the counts: as long as the counts (full) or at most 10 (light, for big fleets). */
  objectLists: "full" | "light";
  /** Stage a big clean-up day at start: the first customer's first profile removed this many objects. */
  cleanupDay: number | null;
  /** Monotonic milliseconds for the rate limit; tests pass a fake clock to step time by hand. */
  clock: () => number;
  faults: Partial<SimFaults>;
}

export interface SimStats {
  /** All API requests (not token, not /_sim). */
  apiRequests: number;
  tokenRequests: number;
  /** Key "METHOD /template", e.g. "GET /partner/external/v3/general/customers/{customerId}/scan-profiles". */
  byEndpoint: Record<string, number>;
  /** API requests answered 2xx. */
  served: number;
  /** API requests answered 429, by the rate limit or an injected fault. */
  throttled: number;
  /** Of `throttled`, those refused by the rate limit. */
  rateLimited: number;
  /** Answered API requests by status code ("200", "429", ...); requests closed unanswered are not here. */
  byStatus: Record<string, number>;
  /** `served` per endpoint key (as in byEndpoint). */
  servedByEndpoint: Record<string, number>;
  /** `throttled` per endpoint key (as in byEndpoint). */
  throttledByEndpoint: Record<string, number>;
  inFlight: number;
  /** Max concurrent API requests open at once (including latency wait) since the last reset. */
  maxInFlight: number;
  usedJti: number;
}

export interface SimTenant {
  id: string;
  name: string;
}

export interface SimCustomer {
  id: string;
  organization: string;
  ownerEmail: string;
  jobStatus: number;
  countryOrRegion: string;
  managementMode: number;
  tenants: SimTenant[];
}

export interface SimProfile {
  profileName: string;
  profileId: string;
  scanMode: number;
  /** ISO 8601, whole seconds, Z. */
  modifiedTime: string;
  description: string;
  tenantId: string;
  tenantDomain: string;
  lastUpdateTime: string;
  lastScanStatus: number;
  newRegisteredContentCount: number;
  movedToAnotherContainer: number;
  removedFromMicrosoft365OrOutofPolicy: number;
}

/** What tests, demos and the /_sim/ control endpoints can read and change in a running simulator. */
export interface SimulatorControl {
  customers(): readonly SimCustomer[];
  profiles(customerId: string): readonly SimProfile[];
  updateProfile(customerId: string, profileId: string, patch: Partial<SimProfile>): void;
  deleteProfile(customerId: string, profileId: string): void;
  deleteCustomer(customerId: string): void;
  setFaults(patch: Partial<SimFaults>): void;
  /**
   * Stages a big clean-up day: the profile (default: the first customer's first) removed `removed`
   * objects in today's report, which finished now. Returns the profile.
   * @throws Error when the customer or profile does not exist.
   */
  stageCleanupDay(removed: number, customerId?: string, profileId?: string): SimProfile;
  faults(): SimFaults;
  stats(): SimStats;
  resetStats(): void;
}

export interface Simulator extends SimulatorControl {
  readonly url: string;
  readonly apiUrl: string;
  readonly tokenUrl: string;
  close(): Promise<void>;
}
