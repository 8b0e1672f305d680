/**
 * The validated configuration's types (Config and the values it is made of); settings.ts declares the
 * settings that fill it, and parse.ts builds it.
 */

/** The API generations the exporter speaks. */
export const API_FLAVORS = ["v3", "modern", "v3-batch"] as const;
export type ApiFlavor = (typeof API_FLAVORS)[number];

export type Credentials =
  | { readonly kind: "secret"; readonly clientSecret: string }
  | {
      readonly kind: "certificate";
      readonly certificatePem: string;
      readonly privateKeyPem: string;
      readonly privateKeyPassword: string | null;
    };

/** One --web.listen-address: no host means every interface. */
export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

/**
 * The validated configuration the program runs with. Each field is one setting's value (settings.ts
 * says which, by its `to`) or made from several by a rule in rules.ts.
 */
export interface Config {
  readonly web: {
    /** Every --web.listen-address; the server listens on all. */
    readonly listen: readonly [ListenAddress, ...ListenAddress[]];
    readonly telemetryPath: string;
    readonly configFile: string | null;
    /** POST /-/reload is served only when true. */
    readonly enableLifecycle: boolean;
  };
  readonly avepoint: {
    readonly environment: string;
    readonly region: string | null;
    readonly apiUrl: string;
    readonly tokenUrl: string;
    readonly flavor: ApiFlavor;
    readonly modernDailyRoute: "auto" | "legacy" | "summary";
    readonly clientId: string;
    readonly credentials: Credentials;
    readonly scopes: readonly string[];
    readonly concurrency: number;
    /** Requests per second at most: the ceiling of the adaptive rate. */
    readonly rateLimit: number;
    readonly adaptiveRate: boolean;
    readonly maxRetryAfterSeconds: number;
    readonly requestTimeoutSeconds: number;
    readonly maxRetries: number;
    /** Largest answer read; larger ones are cut off (too_large). For daily reports: most kept. */
    readonly maxResponseBytes: number;
    /** Daily reports read as a stream: most decoded bytes read. */
    readonly maxReportBytes: number;
    /** Daily reports read as a stream: total time of one attempt. */
    readonly reportTimeoutSeconds: number;
  };
  readonly collect: {
    readonly minIntervalSeconds: number;
    readonly customers: readonly string[];
    readonly excludeCustomers: readonly string[];
    readonly maxStaleSeconds: number;
    /** Upper bound of one collection round. */
    readonly maxRoundSeconds: number;
    readonly timeoutOffsetSeconds: number;
    readonly defaultTimeoutSeconds: number;
  };
  readonly shard: { readonly index: number; readonly total: number };
  readonly storage: {
    /** Directory of the kept state; null keeps nothing. */
    readonly path: string | null;
    readonly saveIntervalSeconds: number;
  };
  readonly runtime: {
    /** V8's heap growing factor is 1 + this / 100; 0 keeps V8's own heuristics. */
    readonly heapGrowthPercent: number;
  };
  readonly log: { readonly level: "debug" | "info" | "warn" | "error"; readonly format: "logfmt" | "json" };
  readonly configFile: string | null;
}

export const DEFAULT_SCOPES: Record<ApiFlavor, readonly string[]> = {
  v3: ["elements.customers.read.all", "elements.scanprofiles.read.all"],
  "v3-batch": ["elements.customers.read.all", "elements.scanprofiles.read.all"],
  modern: ["partner.customers.read.all", "partner.scanprofiles.read.all"],
};
