/**
 * What the landing page shows, as plain data: scan health (every profile's last scan state, the failed
 * ones named), then collection health and data age per customer. No HTML here.
 */
import { scanStateOf, type ScanState } from "../avepoint/types.js";
import type { CustomerView, View } from "../collect/view.js";

/** Scan states that mean the scan did not do its job: listed one by one, at the top. */
export const FAILED_STATES: readonly ScanState[] = ["failed", "error_start"];

/** The order of the state counts: trouble first, then the rest, success last. */
const STATE_ORDER: readonly ScanState[] = [
  "failed",
  "error_start",
  "finished_with_exception",
  "rejected",
  "canceled",
  "stopped",
  "unknown",
  "wait_for_the_configuration",
  "not_start",
  "not_scan",
  "disabled",
  "skipped",
  "none",
  "pending",
  "running",
  "finished",
];

export const STATE_TEXT: Partial<Record<ScanState, string>> = {
  error_start: "failed to start",
  finished_with_exception: "finished with exception",
  wait_for_the_configuration: "waiting for configuration",
  not_start: "not started",
  not_scan: "not scanned",
};

export const stateText = (state: ScanState): string => STATE_TEXT[state] ?? state.replaceAll("_", " ");

export type StateTone = "bad" | "warn" | "ok" | "neutral";
export const toneOf = (state: ScanState): StateTone =>
  FAILED_STATES.includes(state)
    ? "bad"
    : state === "finished"
      ? "ok"
      : ["finished_with_exception", "rejected", "canceled", "stopped", "unknown"].includes(state)
        ? "warn"
        : "neutral";

export interface FailedScan {
  readonly customerId: string;
  readonly customerName: string;
  readonly profileId: string;
  readonly profileName: string;
  readonly tenantDomain: string;
  readonly state: ScanState;
  /** `lastUpdateTime` of the daily report (Unix seconds), null when absent. */
  readonly reportedAt: number | null;
  /** The values are the last known ones: the customer's latest collection failed. */
  readonly stale: boolean;
}

export type CollectionState = "failed" | "pending" | "ok";

export interface CustomerRow {
  readonly id: string;
  readonly name: string;
  readonly profiles: number;
  readonly failedScans: number;
  readonly state: CollectionState;
  /** Seconds since the customer's data was last collected completely; null: never. */
  readonly dataAgeSeconds: number | null;
  readonly lastSuccess: number | null;
  readonly error: { readonly reason: string; readonly message: string } | null;
}

export interface LandingModel {
  readonly profiles: number;
  readonly stateCounts: readonly { readonly state: ScanState; readonly count: number }[];
  readonly failedScans: readonly FailedScan[];
  readonly customers: readonly CustomerRow[];
  readonly failingCustomers: number;
  readonly pendingCustomers: number;
  /** Age of the oldest data served, of customers collected at least once; null: none yet. */
  readonly oldestDataAgeSeconds: number | null;
}

const collectionState = (c: CustomerView): CollectionState =>
  c.last === null ? "pending" : c.last.ok ? "ok" : "failed";
const COLLECTION_RANK: Record<CollectionState, number> = { failed: 0, pending: 1, ok: 2 };

/** @param now Unix seconds. */
export const landingModel = (view: View, now: number): LandingModel => {
  const counts = new Map<ScanState, number>();
  const failedScans: FailedScan[] = [];
  let profiles = 0;
  const customers = view.customers.map((c): CustomerRow => {
    let failed = 0;
    for (const profile of c.profiles) {
      profiles++;
      const state = scanStateOf(profile.status.lastScanStatus);
      counts.set(state, (counts.get(state) ?? 0) + 1);
      if (!FAILED_STATES.includes(state)) continue;
      failed++;
      failedScans.push({
        customerId: c.customer.id,
        customerName: c.customer.name,
        profileId: profile.id,
        profileName: profile.name,
        tenantDomain: profile.tenantDomain,
        state,
        reportedAt: profile.status.dailyReportTimestamp,
        stale: c.last?.ok === false,
      });
    }
    return {
      id: c.customer.id,
      name: c.customer.name,
      profiles: c.profiles.length,
      failedScans: failed,
      state: collectionState(c),
      dataAgeSeconds: c.lastSuccess === null ? null : Math.max(0, now - c.lastSuccess),
      lastSuccess: c.lastSuccess,
      error: c.last?.ok === false ? { reason: c.last.reason, message: c.last.message } : null,
    };
  });
  const byName = (a: { customerName: string; profileName: string }, b: typeof a): number =>
    a.customerName.localeCompare(b.customerName) || a.profileName.localeCompare(b.profileName);
  failedScans.sort((a, b) => FAILED_STATES.indexOf(a.state) - FAILED_STATES.indexOf(b.state) || byName(a, b));
  // Failing first, then not yet reached, then the oldest data first.
  customers.sort(
    (a, b) =>
      COLLECTION_RANK[a.state] - COLLECTION_RANK[b.state] ||
      (b.dataAgeSeconds ?? Infinity) - (a.dataAgeSeconds ?? Infinity) ||
      a.name.localeCompare(b.name),
  );
  const rank = (state: ScanState): number => {
    const at = STATE_ORDER.indexOf(state);
    return at === -1 ? STATE_ORDER.length : at;
  };
  const ages = customers.flatMap((c) => (c.dataAgeSeconds === null ? [] : [c.dataAgeSeconds]));
  return {
    profiles,
    stateCounts: [...counts]
      .map(([state, count]) => ({ state, count }))
      .sort((a, b) => rank(a.state) - rank(b.state)),
    failedScans,
    customers,
    failingCustomers: customers.filter((c) => c.state === "failed").length,
    pendingCustomers: customers.filter((c) => c.state === "pending").length,
    oldestDataAgeSeconds: ages.length === 0 ? null : Math.max(...ages),
  };
};

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h": short enough for a table cell. */
export const formatAge = (seconds: number | null): string => {
  if (seconds === null) return "never";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) {
    const minutes = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} min` : ""}`;
  }
  const hours = Math.floor((s % 86_400) / 3600);
  return `${Math.floor(s / 86_400)} d${hours ? ` ${hours} h` : ""}`;
};
