/** Plain data that rounds produce and that /metrics and the landing page show. */
import type { Customer, DailyProfile } from "../avepoint/types.js";
import type { FailureReason } from "../errors.js";

/** A complete scan profile: list row and daily record together, whichever calls the flavor needed. */
export type Profile = DailyProfile;

export interface Failure {
  readonly reason: FailureReason;
  readonly message: string;
}

/** How an attempt ended: one type for the listing and for each customer. */
export type Outcome = { readonly ok: true } | ({ readonly ok: false } & Failure);

/** One customer's attempt in a round. */
export type CustomerResult =
  | { readonly ok: true; readonly customer: Customer; readonly profiles: readonly Profile[] }
  | ({ readonly ok: false; readonly customer: Customer } & Failure);

/** A customer as served: the data of its latest success, and how its latest attempt ended. */
export interface CustomerView {
  readonly customer: Customer;
  /** Profiles of the latest success; empty once a failing customer's data is older than max-stale. */
  readonly profiles: readonly Profile[];
  /** Epoch seconds of the latest complete collection of this customer, null if never. */
  readonly lastSuccess: number | null;
  /** The latest attempt; null while the customer is listed but not yet reached. */
  readonly last: Outcome | null;
}

/** The last round that ended without being cut by --collect.max-round-duration. */
export interface CompletedRound {
  /** Epoch seconds. */
  readonly endedAt: number;
  readonly durationSeconds: number;
}

export interface RoundStatus {
  readonly running: boolean;
  /** Customers selected in the running round so far (or in the last round when none runs). */
  readonly customers: number;
  /** Of these, attempted (collected or failed). */
  readonly done: number;
  readonly lastComplete: CompletedRound | null;
}

/** What /metrics and the landing page show. */
export interface View {
  /** The latest finished listing of customers; null before the first one finished. */
  readonly listing: Outcome | null;
  /** Epoch seconds of the latest customer result, null before the first. */
  readonly updatedAt: number | null;
  readonly round: RoundStatus;
  readonly customers: readonly CustomerView[];
}
