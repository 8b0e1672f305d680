/**
 * collect(api, options): one round's work. Lists the customers, and while pages still arrive starts
 * on them, stalest first, a bounded number at a time; hands out each customer's result as it comes.
 */
import type { CallContext, PartnerApi } from "../avepoint/index.js";
import type { Customer } from "../avepoint/types.js";
import { isDeadlineError, reasonOf, type FailureReason } from "../errors.js";
import { StalestFirst } from "./stalest-first.js";
import type { CustomerResult, Failure, Outcome } from "./view.js";

export interface CollectOptions {
  /** The round's signal and deadline: every request of the round carries them. */
  readonly ctx: CallContext;
  /** Which customers this instance collects (filters and shard). */
  readonly accept?: (customer: Customer) => boolean;
  /**
   * Customers worked on at once. A few times the request concurrency keeps every request slot busy
   * while holding far less in memory than starting thousands of customers together.
   */
  readonly parallelism?: number;
  /** Lower starts first (the age of the customer's data; -Infinity for never collected). */
  readonly priority?: (customer: Customer) => number;
  /**
   * From this time on (epoch ms, default the deadline) no customer is started, and one that fails
   * by running out of time counts as not reached rather than failed: the round's bound cut it.
   */
  readonly closingAt?: number;
  readonly now?: () => number;
  /** The accepted customers of each listed page, before any of them is started. */
  readonly onListed?: (customers: readonly Customer[]) => void;
  /**
   * The end of the listing, with every accepted customer listed; `complete` only when the listing
   * succeeded and read every row it promised, none malformed (only then may it tell who is gone).
   */
  readonly onListingDone?: (listing: Outcome, listed: readonly Customer[], complete: boolean) => void;
  /** Each attempted customer's result (not those the round's bound cut). */
  readonly onResult: (result: CustomerResult) => void;
  /**
   * Told every attempted customer's result; true stops the round as its bound would (the circuit
   * breaker, breaker.ts): no further customer is started, and those not started count as not reached.
   */
  readonly halt?: (result: CustomerResult) => boolean;
}

export interface CollectSummary {
  /** How the listing ended: ok only if every page was read. */
  readonly listing: Outcome;
  /** Every accepted customer listed, in listing order. */
  readonly listed: readonly Customer[];
  readonly attempted: number;
  /** Listed but not attempted, or cut mid-way: the next round starts with these. */
  readonly unreached: number;
  /** Whether `halt` stopped the round. */
  readonly halted: boolean;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const failureOf = (err: unknown): { reason: FailureReason; message: string } => ({
  reason: reasonOf(err),
  message: messageOf(err),
});

/** Reasons a customer may fail with when the round's own time runs out. */
const OUT_OF_TIME = new Set<FailureReason>(["timeout", "throttled"]);

/**
 * The round's bound and its closing window, in one place: from `closingAt` on (or once the round's
 * signal aborts) no customer is started, and an attempt that ran out of time then was ended by the
 * bound, not the upstream. A request that got no answer within --avepoint.request-timeout before the
 * closing window, or a failed request with no time left for its retry, is a real failure.
 */
class Bound {
  constructor(
    readonly ctx: CallContext,
    private readonly closingAt: number,
    private readonly now: () => number,
  ) {}

  /** No customer starts any more. */
  get closed(): boolean {
    return this.ctx.signal.aborted || this.now() >= this.closingAt;
  }

  /** Whether this failure is the bound's doing. */
  ended(failure: Failure): boolean {
    return this.ctx.signal.aborted || (OUT_OF_TIME.has(failure.reason) && this.now() >= this.closingAt);
  }
}

/** How one customer's attempt ended: collected, failed with a reason, or not reached (the bound ended it). */
export type Attempt =
  | { readonly kind: "collected" | "failed"; readonly result: CustomerResult }
  | { readonly kind: "not_reached" };

const NOT_REACHED: Attempt = { kind: "not_reached" };

/** A one-shot wake-up for workers waiting on the next page (or the end of the listing). */
class Wakeup {
  private waiting: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}

/**
 * Never throws: a failed listing is the summary's `listing` (customers already listed are still
 * collected); a failure of one customer is that customer's result only. Request concurrency and
 * rate are the transport's business; here only which customers are in progress, and how many.
 */
export const collect = async (api: PartnerApi, options: CollectOptions): Promise<CollectSummary> => {
  const { ctx } = options;
  const now = options.now ?? Date.now;
  const bound = new Bound(ctx, options.closingAt ?? ctx.deadline, now);
  const accept = options.accept ?? (() => true);
  const queue = new StalestFirst<Customer>(options.priority ?? (() => 0));
  const listed: Customer[] = [];
  const arrival = new Wakeup();
  let listing: Outcome | null = null;
  let attempted = 0;
  let cut = false;
  let halted = false;

  const onAbort = (): void => arrival.wake();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const listingDone = api
    .listCustomers(ctx, (page) => {
      // The flavor hands each customer over once (a repeated row is its `duplicate` problem).
      const fresh = page.filter((customer) => accept(customer));
      if (fresh.length === 0) return;
      listed.push(...fresh);
      options.onListed?.(fresh);
      queue.push(fresh);
      arrival.wake();
    })
    .then(
      (end): [Outcome, boolean] => [{ ok: true }, end.complete],
      (err: unknown): [Outcome, boolean] => [{ ok: false, ...failureOf(err) }, false],
    )
    .then(([outcome, complete]) => {
      listing = outcome;
      options.onListingDone?.(outcome, listed, complete);
      arrival.wake();
    });

  const closing = (): boolean => cut || bound.closed;
  const worker = async (): Promise<void> => {
    while (!closing()) {
      const customer = queue.pop();
      if (customer === undefined) {
        if (listing !== null) return;
        await arrival.wait();
        continue;
      }
      const attempt = await attemptCustomer(api, customer, bound);
      if (attempt.kind === "not_reached") {
        cut = true;
        continue;
      }
      const { result } = attempt;
      attempted++;
      options.onResult(result);
      if (options.halt?.(result) === true) halted = cut = true;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.parallelism ?? 64) }, worker));
    await listingDone;
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
  return {
    listing: listing ?? { ok: false, reason: "timeout", message: "listing did not finish" },
    listed,
    attempted,
    unreached: listed.length - attempted,
    halted,
  };
};

/** One customer: its complete profiles as the flavor reads them, its failure, or not reached. */
const attemptCustomer = async (api: PartnerApi, customer: Customer, bound: Bound): Promise<Attempt> => {
  try {
    return {
      kind: "collected",
      result: { ok: true, customer, profiles: await api.profiles(customer.id, bound.ctx) },
    };
  } catch (err) {
    if (isDeadlineError(err)) return NOT_REACHED;
    const failure = failureOf(err);
    return bound.ended(failure)
      ? NOT_REACHED
      : { kind: "failed", result: { ok: false, customer, ...failure } };
  }
};
