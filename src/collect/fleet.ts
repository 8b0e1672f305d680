/** Every known customer's latest state, updated customer by customer as a round goes on. */
import type { Customer } from "../avepoint/types.js";
import type { CustomerResult, CustomerView } from "./view.js";

export class Fleet {
  /** In the order customers were first listed. */
  private readonly byId = new Map<string, CustomerView>();
  /** Epoch seconds of each customer's latest attempt, whatever its end. */
  private readonly attemptedAt = new Map<string, number>();

  /** @param maxStaleSeconds how long a failing customer's last known profiles are still served. */
  constructor(private readonly maxStaleSeconds: number) {}

  get size(): number {
    return this.byId.size;
  }

  /** Listed customers: new ones join, not yet reached; known ones take the listing's fresh record. */
  listed(customers: readonly Customer[]): void {
    for (const customer of customers) {
      const known = this.byId.get(customer.id);
      this.byId.set(
        customer.id,
        known ? { ...known, customer } : { customer, profiles: [], lastSuccess: null, last: null },
      );
    }
  }

  /**
   * A customer's attempt, finished at `at` (epoch seconds). A failure keeps the last known profiles
   * while they are younger than max-stale.
   */
  record(result: CustomerResult, at: number): void {
    this.attemptedAt.set(result.customer.id, at);
    if (result.ok) {
      this.byId.set(result.customer.id, {
        customer: result.customer,
        profiles: result.profiles,
        lastSuccess: at,
        last: { ok: true },
      });
      return;
    }
    const known = this.byId.get(result.customer.id);
    const lastSuccess = known?.lastSuccess ?? null;
    const fresh = lastSuccess !== null && at - lastSuccess <= this.maxStaleSeconds;
    this.byId.set(result.customer.id, {
      customer: result.customer,
      profiles: fresh ? (known?.profiles ?? []) : [],
      lastSuccess,
      last: { ok: false, reason: result.reason, message: result.message },
    });
  }

  /**
   * After a complete listing: whoever it did not name is gone upstream (or no longer selected).
   * @returns the IDs of the customers dropped.
   */
  keepOnly(listed: ReadonlySet<string>): string[] {
    const gone: string[] = [];
    for (const id of this.byId.keys()) if (!listed.has(id)) gone.push(id);
    for (const id of gone) {
      this.byId.delete(id);
      this.attemptedAt.delete(id);
    }
    return gone;
  }

  /** Epoch seconds of the customer's latest success; -Infinity when never (stalest of all). */
  staleness(customerId: string): number {
    return this.byId.get(customerId)?.lastSuccess ?? -Infinity;
  }

  /**
   * The customers as they stand at `now` (epoch seconds; a copy: later results do not change it).
   * Profiles older than max-stale are left out whatever the reason — a failing customer, or one not
   * attempted for that long (a listing failing for hours, rounds cut before reaching it).
   */
  customers(now: number): CustomerView[] {
    const views: CustomerView[] = [];
    for (const view of this.byId.values()) {
      const stale = view.lastSuccess !== null && now - view.lastSuccess > this.maxStaleSeconds;
      views.push(stale && view.profiles.length > 0 ? { ...view, profiles: [] } : view);
    }
    return views;
  }

  /** Every customer as kept (not filtered by age), with the time of its latest attempt. */
  *entries(): Generator<KeptCustomer> {
    for (const [id, view] of this.byId) yield { ...view, lastAttemptAt: this.attemptedAt.get(id) ?? null };
  }

  /** Customers kept by an earlier process, taken as they were: only before the first listing. */
  restore(kept: Iterable<KeptCustomer>): void {
    for (const { lastAttemptAt, ...view } of kept) {
      this.byId.set(view.customer.id, view);
      if (lastAttemptAt !== null) this.attemptedAt.set(view.customer.id, lastAttemptAt);
    }
  }
}

/** A customer as the state keeps it: its view and when it was last attempted (epoch seconds). */
export type KeptCustomer = CustomerView & { readonly lastAttemptAt: number | null };
