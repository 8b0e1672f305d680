/** Deterministic data generator: same seed and sizes → identical customers and profiles, whatever the flavor. */
import { createRng, hashSeed } from "./random.js";
import type { Rng } from "./random.js";
import type { SimCustomer, SimProfile, SimTenant } from "./types.js";
import {
  AWKWARD_ORGANIZATIONS,
  AWKWARD_PROFILES,
  COUNTRIES,
  DESCRIPTIONS,
  ORDINARY_ORGANIZATIONS,
  ORDINARY_PROFILES,
  ORGANIZATION_SUFFIXES,
} from "./names.js";

export interface GeneratedData {
  customers: SimCustomer[];
  /** Profiles per customer id, in list order. */
  profiles: Map<string, SimProfile[]>;
  /** Keys `${customerId}/${profileId}` of v3 list rows that come without status and counts. */
  incomplete: Set<string>;
}

export interface GenerateOptions {
  seed: number;
  customers: number;
  profilesPerCustomer: number;
  incompleteRowRate: number;
  /** Dates are generated before this instant (ms). */
  anchorMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Midnight UTC of today: keeps data stable for a day, so two simulators with one seed agree. */
export const todayAnchor = (): number => Math.floor(Date.now() / DAY) * DAY;

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const two = (n: number): string => TWO_DIGITS[n] ?? String(n);

/**
 * ISO 8601 with whole seconds and Z, e.g. 2025-09-11T03:19:14Z. Hand-rolled (days → civil date after
 * H. Hinnant) because Date#toISOString dominated generating large data sets.
 */
export function isoSeconds(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const inDay = seconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hh = Math.floor(inDay / 3600);
  const mm = Math.floor((inDay % 3600) / 60);
  return `${year}-${two(month)}-${two(day)}T${two(hh)}:${two(mm)}:${two(inDay % 60)}Z`;
}

/** Weighted status codes: mostly Finished, a realistic share of failures, everything else rare. */
const STATUS_WEIGHTS: readonly (readonly [number, number])[] = [
  [2, 700],
  [3, 60],
  [4, 80],
  [7, 30],
  [1, 30],
  [5, 20],
  [10, 20],
  [0, 8],
  [6, 8],
  [8, 8],
  [9, 8],
  [11, 8],
  [12, 8],
  [13, 8],
  [14, 6],
];
const STATUS_TOTAL = STATUS_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);

function drawStatus(rng: Rng): number {
  let roll = rng.next() * STATUS_TOTAL;
  for (const [code, weight] of STATUS_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return code;
  }
  return 2;
}

function drawCount(rng: Rng): number {
  const roll = rng.next();
  if (roll < 0.35) return 0;
  if (roll < 0.93) return rng.int(1, 25);
  if (roll < 0.97) return rng.int(26, 500);
  return rng.int(1000, 9999);
}

function organizationName(rng: Rng, index: number): string {
  // Awkward names sit at fixed odd positions so that even a small data set holds all of them.
  if (index % 2 === 1 && (index - 1) / 2 < AWKWARD_ORGANIZATIONS.length) {
    return AWKWARD_ORGANIZATIONS[(index - 1) / 2] ?? "";
  }
  if (rng.chance(0.03)) return rng.pick(AWKWARD_ORGANIZATIONS);
  const suffix = rng.pick(ORGANIZATION_SUFFIXES);
  const base = rng.pick(ORDINARY_ORGANIZATIONS);
  return suffix === "" ? `${base} ${index}` : `${base} ${index} ${suffix}`;
}

function profileName(rng: Rng, globalIndex: number): string {
  if (globalIndex % 5 === 2 && (globalIndex - 2) / 5 < AWKWARD_PROFILES.length) {
    return AWKWARD_PROFILES[(globalIndex - 2) / 5] ?? "";
  }
  if (rng.chance(0.05)) return rng.pick(AWKWARD_PROFILES);
  return rng.pick(ORDINARY_PROFILES);
}

function makeTenants(rng: Rng, index: number): SimTenant[] {
  const roll = rng.next();
  const count = roll < 0.1 ? 0 : roll < 0.85 ? 1 : 2;
  const tenants: SimTenant[] = [];
  for (let t = 0; t < count; t++) {
    tenants.push({ id: rng.guid(), name: `tenant${index}x${t}.onmicrosoft.com` });
  }
  return tenants;
}

function makeProfile(rng: Rng, customer: SimCustomer, globalIndex: number, anchorMs: number): SimProfile {
  const tenant = customer.tenants.length > 0 ? rng.pick(customer.tenants) : null;
  // Every status code appears once there are at least 60 profiles: positions 1, 5, 9, ... get 0..14 in turn.
  const status =
    globalIndex % 4 === 1 && (globalIndex - 1) / 4 < 15 ? (globalIndex - 1) / 4 : drawStatus(rng);
  const modifiedMs = anchorMs - rng.int(2 * HOUR, 90 * DAY);
  const noReport = status === 0 || status === 11 || status === 13 || status === 14;
  const lastUpdateMs = noReport ? modifiedMs : Math.max(modifiedMs, anchorMs - rng.int(60_000, 36 * HOUR));
  const profile: SimProfile = {
    profileName: profileName(rng, globalIndex),
    profileId: rng.guid(),
    scanMode: rng.chance(0.7) ? 0 : 1,
    modifiedTime: isoSeconds(modifiedMs),
    description: rng.pick(DESCRIPTIONS),
    tenantId: tenant?.id ?? rng.guid(),
    tenantDomain: tenant ? tenant.name.replace(/\.onmicrosoft\.com$/, "") : `t${rng.u32().toString(36)}`,
    lastUpdateTime: isoSeconds(lastUpdateMs),
    lastScanStatus: status,
    newRegisteredContentCount: noReport ? 0 : drawCount(rng),
    movedToAnotherContainer: noReport ? 0 : drawCount(rng),
    removedFromMicrosoft365OrOutofPolicy: noReport ? 0 : drawCount(rng),
  };
  return profile;
}

/** Generates the whole data set; 10,000 customers × 5 profiles take well under a second. */
export function generateData(options: GenerateOptions): GeneratedData {
  const rng = createRng(hashSeed(options.seed, "data"));
  // A separate stream, so that the incomplete-row rate never changes any value.
  const incompleteRng = createRng(hashSeed(options.seed, "incomplete"));
  const customers: SimCustomer[] = [];
  const profiles = new Map<string, SimProfile[]>();
  const incomplete = new Set<string>();
  let globalIndex = 0;
  for (let i = 0; i < options.customers; i++) {
    const id = rng.guid();
    const tenants = makeTenants(rng, i);
    const customer: SimCustomer = {
      id,
      organization: organizationName(rng, i),
      ownerEmail: `admin${i}@${tenants[0]?.name ?? `customer${i}.onmicrosoft.com`}`,
      jobStatus: rng.chance(0.7) ? 1 : rng.int(0, 6),
      countryOrRegion: rng.pick(COUNTRIES),
      managementMode: rng.chance(0.6) ? 1 : rng.int(0, 2),
      tenants,
    };
    customers.push(customer);
    const list: SimProfile[] = [];
    for (let p = 0; p < options.profilesPerCustomer; p++) {
      const profile = makeProfile(rng, customer, globalIndex++, options.anchorMs);
      list.push(profile);
      if (incompleteRng.next() < options.incompleteRowRate) incomplete.add(`${id}/${profile.profileId}`);
    }
    profiles.set(id, list);
  }
  return { customers, profiles, incomplete };
}
