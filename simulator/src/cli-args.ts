/** Command-line flags of the simulator → SimulatorOptions (pure; main.ts does the I/O). */
import { parseArgs } from "node:util";
import { isHeaderText, parseCustomerFault } from "./faults.js";
import type { CustomerFault, ModernDailyRoutes, SimFaults, SimFlavor, SimulatorOptions } from "./types.js";
import { SIM_FLAVORS } from "./types.js";
import { OBJECT_LISTS } from "./profile-extras.js";

export const USAGE = `Usage: avepoint-simulator [flags]

A fake AvePoint identity service and partner API (flavors v3, modern, v3-batch).

  --listen-address host:port       default 127.0.0.1:10124
  --flavor v3|modern|v3-batch      default v3
  --customers N                    default 20
  --profiles N                     scan profiles per customer, default 3
  --seed N                         default 1
  --client-id ID                   default demo-client
  --client-secret SECRET           default demo-secret; "" disables secret auth
  --client-certificate-file PATH   PEM certificate registered for certificate auth
  --latency-ms MS                  fixed delay before every API answer
  --latency-jitter-ms MS           plus uniform random 0..MS
  --error-rate R                   0..1 fraction answered 500
  --throttle-rate R                0..1 fraction answered 429
  --throttle-burst N               the first N API requests answer 429
  --customers-throttle-burst N     the first N requests for the customer list's first page answer 429
  --retry-after VALUE              Retry-After of injected 429s (any text); "none" = no header
  --rate-limit R                   a real limit: R API requests/s per client id, else 429 with a
                                   computed Retry-After; default off (0 or "off")
  --rate-limit-burst N             bucket size of the rate limit, default R (one second's worth)
  --malformed-json-rate R          0..1 fraction of 200s with invalid JSON
  --fail-customers id=500,id=badjson,id=missing-field,id=hang
  --token-status STATUS            token endpoint answers this error status
  --token-lifetime-seconds N       default 3600
  --incomplete-row-rate R          v3: 0..1 fraction of list rows without status and counts
  --modern-daily-routes legacy|summary|both
  --demo-failures                  three failed scans and the last customer refusing access (403),
                                   as npm run demo shows them
  --object-lists full|light        lists behind the counts: as long as the counts (default) or at
                                   most 10 (fleets where they do not matter)
  --cleanup-day N                  stage a big clean-up day: the first customer's first profile
                                   removed N objects today (also POST /_sim/cleanup-day)
  --help
`;

export interface CliArgs {
  options: Partial<SimulatorOptions>;
  /** Path of the certificate to read, if given. */
  certificateFile: string | null;
  help: boolean;
  /** Make the fleet show failure as the demo does (demo-fleet.ts). */
  demoFailures: boolean;
}

/** A flag with a bad value; main prints the message and exits 2. */
export class CliError extends Error {
  override name = "CliError";
}

const STRING_FLAGS = [
  "listen-address",
  "flavor",
  "customers",
  "profiles",
  "seed",
  "client-id",
  "client-secret",
  "client-certificate-file",
  "latency-ms",
  "latency-jitter-ms",
  "error-rate",
  "throttle-rate",
  "throttle-burst",
  "customers-throttle-burst",
  "retry-after",
  "rate-limit",
  "rate-limit-burst",
  "malformed-json-rate",
  "fail-customers",
  "token-status",
  "token-lifetime-seconds",
  "incomplete-row-rate",
  "modern-daily-routes",
  "object-lists",
  "cleanup-day",
] as const;

type Flag = (typeof STRING_FLAGS)[number];

function integer(flag: Flag, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(
      `--${flag}: expected an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function number(flag: Flag, raw: string, min: number, max: number): number {
  const value = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new CliError(`--${flag}: expected a number between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function oneOf<T extends string>(flag: Flag, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new CliError(`--${flag}: expected one of ${allowed.join(", ")}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

function listenAddress(raw: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(raw);
  if (!match) throw new CliError(`--listen-address: expected host:port, got ${JSON.stringify(raw)}`);
  const host = match[1] ?? match[2] ?? "";
  return { host: host === "" ? "0.0.0.0" : host, port: integer("listen-address", match[3] ?? "", 0, 65535) };
}

function failCustomers(raw: string): Record<string, CustomerFault> {
  const result: Record<string, CustomerFault> = {};
  for (const item of raw.split(",").filter((s) => s.trim() !== "")) {
    const [id, value, ...more] = item.trim().split("=");
    const fault = parseCustomerFault(value);
    if (id === undefined || id === "" || fault === null || more.length > 0) {
      throw new CliError(
        `--fail-customers: expected id=status|badjson|missing-field|hang, got ${JSON.stringify(item)}`,
      );
    }
    result[id] = fault;
  }
  return result;
}

/** @throws CliError naming the flag when a value is bad or a flag unknown. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let values: Partial<Record<Flag, string>> & { help?: boolean; "demo-failures"?: boolean };
  try {
    const options = Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: "string" as const }]));
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: "boolean" }, "demo-failures": { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }) as { values: Partial<Record<Flag, string>> & { help?: boolean; "demo-failures"?: boolean } });
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  const options: Partial<SimulatorOptions> = {};
  const faults: Partial<SimFaults> = {};
  const v = values;
  const { host, port } = listenAddress(v["listen-address"] ?? "127.0.0.1:10124");
  options.host = host;
  options.port = port;
  if (v.flavor !== undefined) options.flavor = oneOf<SimFlavor>("flavor", v.flavor, SIM_FLAVORS);
  if (v.customers !== undefined) options.customers = integer("customers", v.customers, 0, 1_000_000);
  if (v.profiles !== undefined) options.profilesPerCustomer = integer("profiles", v.profiles, 0, 10_000);
  if (v.seed !== undefined) options.seed = integer("seed", v.seed, 0, 2 ** 32 - 1);
  if (v["client-id"] !== undefined) {
    if (v["client-id"] === "") throw new CliError("--client-id: must not be empty");
    options.clientId = v["client-id"];
  }
  if (v["client-secret"] !== undefined)
    options.clientSecret = v["client-secret"] === "" ? null : v["client-secret"];
  if (v["incomplete-row-rate"] !== undefined) {
    options.incompleteRowRate = number("incomplete-row-rate", v["incomplete-row-rate"], 0, 1);
  }
  if (v["modern-daily-routes"] !== undefined) {
    options.modernDailyRoutes = oneOf<ModernDailyRoutes>("modern-daily-routes", v["modern-daily-routes"], [
      "legacy",
      "summary",
      "both",
    ]);
  }
  if (v["object-lists"] !== undefined)
    options.objectLists = oneOf("object-lists", v["object-lists"], OBJECT_LISTS);
  if (v["cleanup-day"] !== undefined)
    options.cleanupDay = integer("cleanup-day", v["cleanup-day"], 0, 100_000_000);
  if (v["latency-ms"] !== undefined) faults.latencyMs = number("latency-ms", v["latency-ms"], 0, 3_600_000);
  if (v["latency-jitter-ms"] !== undefined) {
    faults.latencyJitterMs = number("latency-jitter-ms", v["latency-jitter-ms"], 0, 3_600_000);
  }
  if (v["error-rate"] !== undefined) faults.errorRate = number("error-rate", v["error-rate"], 0, 1);
  if (v["throttle-rate"] !== undefined)
    faults.throttleRate = number("throttle-rate", v["throttle-rate"], 0, 1);
  if (v["throttle-burst"] !== undefined)
    faults.throttleBurst = integer("throttle-burst", v["throttle-burst"], 0);
  if (v["customers-throttle-burst"] !== undefined) {
    faults.customersThrottleBurst = integer("customers-throttle-burst", v["customers-throttle-burst"], 0);
  }
  if (v["retry-after"] !== undefined) {
    const raw = v["retry-after"];
    if (!isHeaderText(raw)) throw new CliError("--retry-after: must be printable ASCII text");
    faults.retryAfter = raw === "" || raw === "none" ? null : raw;
  }
  if (v["rate-limit"] !== undefined) {
    const raw = v["rate-limit"];
    const rate = raw === "off" ? 0 : number("rate-limit", raw, 0, 1_000_000);
    faults.rateLimit = rate === 0 ? null : rate;
  }
  if (v["rate-limit-burst"] !== undefined) {
    faults.rateLimitBurst = number("rate-limit-burst", v["rate-limit-burst"], 1, 1_000_000_000);
  }
  if (v["malformed-json-rate"] !== undefined) {
    faults.malformedJsonRate = number("malformed-json-rate", v["malformed-json-rate"], 0, 1);
  }
  if (v["fail-customers"] !== undefined) faults.failCustomers = failCustomers(v["fail-customers"]);
  if (v["token-status"] !== undefined)
    faults.tokenStatus = integer("token-status", v["token-status"], 400, 599);
  if (v["token-lifetime-seconds"] !== undefined) {
    faults.tokenLifetimeSeconds = integer("token-lifetime-seconds", v["token-lifetime-seconds"], 0);
  }
  options.faults = faults;
  return {
    options,
    certificateFile: v["client-certificate-file"] ?? null,
    help: v.help === true,
    demoFailures: v["demo-failures"] === true,
  };
}
