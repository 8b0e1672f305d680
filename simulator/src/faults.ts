/** Fault injection settings: defaults, validation of patches, and the per-request decisions. */
import type { RateLimitSettings } from "./rate-limit.js";
import { defaultBurst } from "./rate-limit.js";
import type { Rng } from "./random.js";
import type { CustomerFault, SimFaults } from "./types.js";

export const DEFAULT_FAULTS: Readonly<SimFaults> = {
  latencyMs: 0,
  latencyJitterMs: 0,
  errorRate: 0,
  throttleRate: 0,
  throttleBurst: 0,
  customersThrottleBurst: 0,
  retryAfter: "1",
  rateLimit: null,
  rateLimitBurst: null,
  malformedJsonRate: 0,
  failCustomers: {},
  tokenStatus: null,
  tokenLifetimeSeconds: 3600,
};

const CUSTOMER_FAULT_WORDS = ["badjson", "missing-field", "hang"] as const;

/** Parses one per-customer fault: an HTTP status (400–599) or one of the words. */
export function parseCustomerFault(value: unknown): CustomerFault | null {
  if (typeof value === "string" && (CUSTOMER_FAULT_WORDS as readonly string[]).includes(value)) {
    return value as CustomerFault;
  }
  const status = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof status === "number" && Number.isInteger(status) && status >= 400 && status <= 599
    ? status
    : null;
}

const isRate = (v: unknown): v is number => typeof v === "number" && v >= 0 && v <= 1;
const isNonNegative = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
const isStatus = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 400 && v <= 599;
const isPositive = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

/** What node:http can send as a header value: printable ASCII (so no line breaks), possibly empty. */
export const isHeaderText = (v: string): boolean => /^[\x20-\x7e]*$/.test(v);

/** Validates an untrusted patch (e.g. from POST /_sim/faults); returns it typed, or a message saying what is wrong. */
export function validateFaultsPatch(input: unknown): Partial<SimFaults> | string {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return "faults must be a JSON object";
  const patch: Partial<SimFaults> = {};
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case "latencyMs":
      case "latencyJitterMs":
      case "throttleBurst":
      case "customersThrottleBurst":
      case "tokenLifetimeSeconds":
        if (!isNonNegative(value)) return `${key} must be a number >= 0`;
        patch[key] = value;
        break;
      case "errorRate":
      case "throttleRate":
      case "malformedJsonRate":
        if (!isRate(value)) return `${key} must be a number between 0 and 1`;
        patch[key] = value;
        break;
      case "retryAfter":
        if (value !== null && (typeof value !== "string" || !isHeaderText(value))) {
          return "retryAfter must be printable ASCII text or null";
        }
        patch.retryAfter = value;
        break;
      case "rateLimit":
        if (value !== null && !isPositive(value))
          return "rateLimit must be a number > 0 (requests/s) or null";
        patch.rateLimit = value;
        break;
      case "rateLimitBurst":
        if (value !== null && !(isPositive(value) && value >= 1)) {
          return "rateLimitBurst must be a number >= 1 or null";
        }
        patch.rateLimitBurst = value;
        break;
      case "tokenStatus":
        if (value !== null && !isStatus(value)) return "tokenStatus must be an HTTP error status or null";
        patch.tokenStatus = value;
        break;
      case "failCustomers": {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          return "failCustomers must be an object of customer id → status | badjson | missing-field | hang";
        }
        const map: Record<string, CustomerFault> = {};
        for (const [id, fault] of Object.entries(value as Record<string, unknown>)) {
          const parsed = parseCustomerFault(fault);
          if (parsed === null) return `failCustomers.${id}: ${JSON.stringify(fault)} is not a fault`;
          map[id.toLowerCase()] = parsed;
        }
        patch.failCustomers = map;
        break;
      }
      default:
        return `unknown fault ${key}`;
    }
  }
  return patch;
}

/** Merges a patch into the current faults, lower-casing customer ids so that path matching can be case-insensitive. */
export function mergeFaults(current: SimFaults, patch: Partial<SimFaults>): SimFaults {
  const next: SimFaults = { ...current, ...patch };
  if (patch.failCustomers) {
    next.failCustomers = Object.fromEntries(
      Object.entries(patch.failCustomers).map(([id, fault]) => [id.toLowerCase(), fault]),
    );
  }
  return next;
}

/** The rate limit the faults ask for, or null when there is none. */
export function rateLimitOf(faults: SimFaults): RateLimitSettings | null {
  if (faults.rateLimit === null) return null;
  return { rate: faults.rateLimit, burst: faults.rateLimitBurst ?? defaultBurst(faults.rateLimit) };
}

export type FaultDecision = { kind: "none" } | { kind: "throttle" } | { kind: "error" };

/**
 * Throttling (the customer-list burst, the general burst, then the rate), then the error rate;
 * consumes one burst slot when one applies.
 */
export function decideFault(faults: SimFaults, rng: Rng, firstCustomersPage: boolean): FaultDecision {
  if (firstCustomersPage && faults.customersThrottleBurst > 0) {
    faults.customersThrottleBurst -= 1;
    return { kind: "throttle" };
  }
  if (faults.throttleBurst > 0) {
    faults.throttleBurst -= 1;
    return { kind: "throttle" };
  }
  if (faults.throttleRate > 0 && rng.next() < faults.throttleRate) return { kind: "throttle" };
  if (faults.errorRate > 0 && rng.next() < faults.errorRate) return { kind: "error" };
  return { kind: "none" };
}

export function latencyOf(faults: SimFaults, rng: Rng): number {
  const jitter = faults.latencyJitterMs > 0 ? rng.next() * faults.latencyJitterMs : 0;
  return faults.latencyMs + jitter;
}

/** Cuts a JSON text so that it no longer parses. */
export function truncateJson(text: string): string {
  const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  return cut.endsWith("}") || cut.endsWith("]") ? cut.slice(0, -1) : cut;
}
