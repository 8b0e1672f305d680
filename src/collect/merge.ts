/** Merges a new snapshot with the previous view: failing customers keep their last known data. */
import type { CustomerView, Snapshot, View } from "./snapshot.js";

/**
 * - a customer collected now: fresh data, success;
 * - a customer that failed now: its last known profiles while they are younger than maxStale;
 * - a customer missing from the listing: gone if the listing was complete, else kept as failed
 *   (with its last known profiles while they are younger than maxStale).
 */
export const mergeSnapshot = (previous: View | null, snapshot: Snapshot, maxStaleSeconds: number): View => {
  const collectedAt = snapshot.startedAt / 1000;
  const before = new Map(previous?.customers.map((c) => [c.customer.id, c]));
  const fresh = (view: CustomerView | undefined): view is CustomerView =>
    view !== undefined && view.lastSuccess !== null && collectedAt - view.lastSuccess <= maxStaleSeconds;

  const customers: CustomerView[] = [];
  for (const result of snapshot.customers) {
    const old = before.get(result.customer.id);
    before.delete(result.customer.id);
    if (result.ok) {
      customers.push({
        customer: result.customer,
        profiles: result.profiles,
        success: true,
        lastSuccess: collectedAt,
        error: null,
      });
      continue;
    }
    const error = { reason: result.reason, message: result.message };
    customers.push({
      customer: result.customer,
      profiles: fresh(old) ? old.profiles : [],
      success: false,
      lastSuccess: old?.lastSuccess ?? null,
      error,
    });
  }
  if (!snapshot.up) {
    // Not listed because the listing failed: still there, marked failed, values while fresh.
    for (const old of before.values())
      customers.push({
        ...old,
        profiles: fresh(old) ? old.profiles : [],
        success: false,
        error: snapshot.upError ?? old.error,
      });
  }
  return {
    collectedAt,
    durationSeconds: snapshot.durationSeconds,
    up: snapshot.up,
    upError: snapshot.upError,
    customers,
  };
};
