/** Domain types: what the rest of the program sees of AvePoint, whatever the wire looked like. */

/** `lastScanStatus` codes (avepoint-api §4) and their snake_case names for the `state` label. */
export const SCAN_STATUS_NAMES = {
  0: "none",
  1: "running",
  2: "finished",
  3: "failed",
  4: "finished_with_exception",
  5: "skipped",
  6: "pending",
  7: "error_start",
  8: "canceled",
  9: "rejected",
  10: "stopped",
  11: "not_scan",
  12: "disabled",
  13: "not_start",
  14: "wait_for_the_configuration",
} as const satisfies Record<number, string>;

export type ScanState = (typeof SCAN_STATUS_NAMES)[keyof typeof SCAN_STATUS_NAMES] | "unknown";

/** Customer `jobStatus` codes (state of the customer's tenant). */
export const JOB_STATUS_NAMES = {
  0: "N/A",
  1: "Working",
  2: "Failed",
  3: "Waiting for configuration",
  4: "Multiple issues found",
  5: "Finished with exception",
  6: "No backup updates",
} as const satisfies Record<number, string>;

export { API_FLAVORS, type ApiFlavor } from "../config/config.js";

export interface Customer {
  readonly id: string;
  readonly name: string;
  readonly country: string;
  /** 0 customer manages, 1 partner manages, 2 to be configured; null when absent. */
  readonly managementMode: number | null;
  /** Tenant job status code 0–6; null when absent or unreadable. */
  readonly jobStatus: number | null;
}

/** Status and counts of a profile's latest daily report. */
export interface ProfileStatus {
  /** Raw status code; an unknown future code is kept as is. */
  readonly lastScanStatus: number;
  readonly newRegisteredObjects: number;
  readonly movedObjects: number;
  readonly removedObjects: number;
  /** `lastUpdateTime` as Unix seconds, null when absent. */
  readonly dailyReportTimestamp: number | null;
}

export interface ScanProfile {
  readonly id: string;
  readonly name: string;
  /** 0 Express, 1 Advanced ("Filter"); null when absent. */
  readonly scanMode: number | null;
  readonly tenantId: string;
  readonly tenantDomain: string;
  /** `modifiedTime` as Unix seconds, null when absent. */
  readonly modifiedTimestamp: number | null;
  /** Null when the list row did not carry status and counts (they come from another call). */
  readonly status: ProfileStatus | null;
}

export const scanStateOf = (code: number): ScanState =>
  (SCAN_STATUS_NAMES as Record<number, ScanState | undefined>)[code] ?? "unknown";

/** A profile as its daily-changes endpoint returns it: status always present. */
export type DailyProfile = ScanProfile & { readonly status: ProfileStatus };
