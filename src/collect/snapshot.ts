/** Plain data produced by a collection and served as metrics. */
import type { Customer, DailyProfile } from "../avepoint/types.js";
import type { FailureReason } from "../errors.js";

export type ResolvedProfile = DailyProfile;

export interface Failure {
  readonly reason: FailureReason;
  readonly message: string;
}

export type CustomerResult =
  | { readonly ok: true; readonly customer: Customer; readonly profiles: readonly ResolvedProfile[] }
  | ({ readonly ok: false; readonly customer: Customer } & Failure);

/** One collection's outcome, before it is merged with what was known before. */
export interface Snapshot {
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly durationSeconds: number;
  /** Authenticated and listed every customer. */
  readonly up: boolean;
  readonly upError: Failure | null;
  readonly customers: readonly CustomerResult[];
}

/** A customer as served: fresh data, or the last known data of a customer that failed this time. */
export interface CustomerView {
  readonly customer: Customer;
  readonly profiles: readonly ResolvedProfile[];
  readonly success: boolean;
  /** Epoch seconds of the last complete collection of this customer, null if never. */
  readonly lastSuccess: number | null;
  readonly error: Failure | null;
}

/** What /metrics and the landing page show. */
export interface View {
  /** Epoch seconds when the served collection started. */
  readonly collectedAt: number;
  readonly durationSeconds: number;
  readonly up: boolean;
  readonly upError: Failure | null;
  readonly customers: readonly CustomerView[];
}
