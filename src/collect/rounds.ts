/**
 * Rounds: the one owner of collection. A scrape starts a round when none runs (and
 * --collect.min-interval has passed since the last one ended); the round goes on after that scrape
 * is answered until every selected customer has been attempted or its own bound is reached. Scrapes
 * meanwhile join it; nothing a scrape sends shortens, aborts or restarts it. Each scrape is answered
 * by its own deadline with the freshest data of every customer.
 */
import { setMaxListeners } from "node:events";
import type { PartnerApi } from "../avepoint/index.js";
import type { Customer } from "../avepoint/types.js";
import type { FailureReason } from "../errors.js";
import type { UpstreamBreaker } from "./breaker.js";
import { collect } from "./collect.js";
import { Fleet, type KeptCustomer } from "./fleet.js";
import type { CompletedRound, CustomerResult, Outcome, View } from "./view.js";

/**
 * How a round ended: every selected customer attempted, cut by its bound, halted by the circuit
 * breaker (breaker.ts: AvePoint failing for everyone), or the listing failed.
 */
export type RoundResult = "complete" | "cut" | "halted" | "listing_failed";

export interface RoundSummary {
  readonly result: RoundResult;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly durationSeconds: number;
  readonly listing: Outcome;
  /** Customers selected from the listing. */
  readonly customers: number;
  readonly collected: number;
  readonly failed: Partial<Record<FailureReason, number>>;
  /** Not attempted (or cut mid-way) because the round reached its bound; the next round starts with them. */
  readonly unreached: number;
}

/** What the rounds know that a restart must not lose (src/state keeps it). */
export interface RoundsSnapshot {
  readonly listing: Outcome | null;
  /** A listing ever succeeded (readiness). */
  readonly listedOnce: boolean;
  readonly updatedAt: number | null;
  readonly lastComplete: CompletedRound | null;
  readonly lastCounts: { readonly customers: number; readonly done: number };
  /** Epoch ms when the last round ended (for --collect.min-interval). */
  readonly lastEnd: number | null;
  /** In the order first listed; the next round takes them stalest first by their lastSuccess. */
  readonly customers: readonly KeptCustomer[];
}

/** Told about rounds as they go: logging and the exporter's own metrics are wired in exporter.ts. */
export interface RoundListener {
  roundStarted?(startedAt: number): void;
  listed?(listing: Outcome, customers: number): void;
  customerDone?(result: CustomerResult): void;
  /** Customers a complete listing no longer names: gone from every family. */
  customersGone?(customerIds: readonly string[]): void;
  roundEnded?(summary: RoundSummary): void;
}

export interface RoundsOptions {
  readonly minIntervalSeconds: number;
  readonly maxStaleSeconds: number;
  /** Upper bound of one round (--collect.max-round-duration). */
  readonly maxRoundSeconds: number;
  /**
   * How long before its bound a round starts no more customers; a customer that runs out of time
   * in this window counts as not reached. Default: a tenth of the bound, at most 10 s.
   */
  readonly closingSeconds?: number;
  /** Customers in progress at once (see CollectOptions.parallelism). */
  readonly parallelism?: number;
  readonly accept?: (customer: Customer) => boolean;
  readonly listeners?: readonly RoundListener[];
  readonly now?: () => number;
  /** Stops a round early while AvePoint fails for everyone. */
  readonly breaker?: UpstreamBreaker;
}

/** Customers attempted before the round's pace is used to answer waiting scrapes early. */
const MIN_PACE_SAMPLE = 20;

interface Running {
  /** Epoch ms. */
  readonly startedAt: number;
  readonly deadline: number;
  customers: number;
  done: number;
  listingDone: boolean;
  readonly ended: Promise<void>;
}

interface Waiter {
  readonly deadline: number;
  answer(): void;
}

export class Rounds {
  private readonly fleet: Fleet;
  private readonly now: () => number;
  private readonly listeners: readonly RoundListener[];
  private listing: Outcome | null = null;
  private listedOnce = false;
  private updatedAt: number | null = null;
  private running: Running | null = null;
  /** Epoch ms when the last round ended (for --collect.min-interval). */
  private lastEnd: number | null = null;
  private lastComplete: CompletedRound | null = null;
  private lastCounts = { customers: 0, done: 0 };
  private readonly waiters = new Set<Waiter>();
  /** Aborts a running round at shutdown. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly api: PartnerApi,
    private readonly options: RoundsOptions,
  ) {
    this.fleet = new Fleet(options.maxStaleSeconds);
    this.now = options.now ?? Date.now;
    this.listeners = options.listeners ?? [];
  }

  /** True once a round could authenticate and list customers, or such a state was restored (readiness). */
  get ready(): boolean {
    return this.listedOnce;
  }

  /** What a restart must not lose; a copy of the references, taken at once. */
  snapshot(): RoundsSnapshot {
    return {
      listing: this.listing,
      listedOnce: this.listedOnce,
      updatedAt: this.updatedAt,
      lastComplete: this.lastComplete,
      lastCounts: this.lastCounts,
      lastEnd: this.lastEnd,
      customers: [...this.fleet.entries()],
    };
  }

  /**
   * Takes a kept state before anything was collected (at start, before the first scrape is served).
   * @returns false, taking nothing, once a round has started.
   */
  restore(kept: RoundsSnapshot): boolean {
    if (this.running !== null || this.listing !== null || this.fleet.size > 0) return false;
    this.listing = kept.listing;
    this.listedOnce = kept.listedOnce;
    this.updatedAt = kept.updatedAt;
    this.lastComplete = kept.lastComplete;
    this.lastCounts = kept.lastCounts;
    // A clock set back since must not hold the next round off.
    this.lastEnd = kept.lastEnd === null ? null : Math.min(kept.lastEnd, this.now());
    this.fleet.restore(kept.customers);
    return true;
  }

  /** What a scrape would be served now; starts nothing. */
  view(): View {
    const running = this.running;
    return {
      listing: this.listing,
      updatedAt: this.updatedAt,
      round: {
        running: running !== null,
        customers: running ? running.customers : this.lastCounts.customers,
        done: running ? running.done : this.lastCounts.done,
        lastComplete: this.lastComplete,
      },
      customers: this.fleet.customers(this.now() / 1000),
    };
  }

  /**
   * The answer to a scrape that must be answered by `deadline` (epoch ms). Starts a round if one is
   * due, then waits until the round ends, the deadline comes, or the round's pace shows it will not
   * end by then, whichever is first. Never rejects; the deadline never reaches the round.
   */
  serve(deadline: number): Promise<View> {
    this.start();
    if (this.running === null || deadline <= this.now()) return Promise.resolve(this.view());
    return new Promise((resolve) => {
      const waiter: Waiter = {
        deadline,
        answer: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(this.view());
        },
      };
      const timer = setTimeout(waiter.answer, deadline - this.now());
      this.waiters.add(waiter);
    });
  }

  /** Starts a round unless one runs or --collect.min-interval has not passed since the last one. */
  start(): boolean {
    if (this.running !== null || this.stopping.signal.aborted) return false;
    const { minIntervalSeconds } = this.options;
    if (this.lastEnd !== null && this.now() - this.lastEnd < minIntervalSeconds * 1000) return false;
    let ended!: () => void;
    const running: Running = {
      startedAt: this.now(),
      deadline: this.now() + this.options.maxRoundSeconds * 1000,
      customers: 0,
      done: 0,
      listingDone: false,
      ended: new Promise((resolve) => (ended = resolve)),
    };
    this.running = running;
    void this.run(running).finally(ended);
    return true;
  }

  /** Resolves when no round is running (at once if none is). */
  async idle(): Promise<void> {
    while (this.running) await this.running.ended;
  }

  /** Ends a running round at once (shutdown); no round starts after this. */
  stop(): void {
    this.stopping.abort();
  }

  private async run(round: Running): Promise<void> {
    const bound = new AbortController();
    const timer = setTimeout(() => bound.abort(), round.deadline - round.startedAt);
    const signal = AbortSignal.any([bound.signal, this.stopping.signal]);
    // Every request and wait of the round listens to this one signal.
    setMaxListeners(0, signal);
    const closingSeconds = this.options.closingSeconds ?? Math.min(10, this.options.maxRoundSeconds / 10);
    const failed: Partial<Record<FailureReason, number>> = {};
    let collected = 0;
    this.tell((l) => l.roundStarted?.(round.startedAt));
    const breaker = this.options.breaker;
    breaker?.roundStarted();
    try {
      const summary = await collect(this.api, {
        ctx: { signal, deadline: round.deadline },
        ...(this.options.accept ? { accept: this.options.accept } : {}),
        ...(this.options.parallelism ? { parallelism: this.options.parallelism } : {}),
        priority: (customer) => this.fleet.staleness(customer.id),
        closingAt: round.deadline - closingSeconds * 1000,
        now: this.now,
        onListed: (customers) => {
          this.fleet.listed(customers);
          round.customers += customers.length;
        },
        onListingDone: (listing, listed, complete) => this.listed(round, listing, listed, complete),
        onResult: (result) => {
          const at = this.now() / 1000;
          this.fleet.record(result, at);
          this.updatedAt = at;
          round.done++;
          if (result.ok) collected++;
          else failed[result.reason] = (failed[result.reason] ?? 0) + 1;
          this.tell((l) => l.customerDone?.(result));
          this.paceCheck(round);
        },
        ...(breaker ? { halt: (result: CustomerResult) => breaker.record(result) } : {}),
      });
      if (this.stopping.signal.aborted) return;
      const endedAt = this.now();
      const durationSeconds = (endedAt - round.startedAt) / 1000;
      const result: RoundResult = summary.halted
        ? "halted"
        : summary.unreached > 0
          ? "cut"
          : summary.listing.ok
            ? "complete"
            : "listing_failed";
      if (result === "complete") this.lastComplete = { endedAt: endedAt / 1000, durationSeconds };
      this.lastEnd = endedAt;
      this.lastCounts = { customers: round.customers, done: round.done };
      this.running = null;
      this.tell((l) =>
        l.roundEnded?.({
          result,
          startedAt: round.startedAt,
          durationSeconds,
          listing: summary.listing,
          customers: summary.listed.length,
          collected,
          failed,
          unreached: summary.unreached,
        }),
      );
    } finally {
      clearTimeout(timer);
      // Nothing of this round may outlive it.
      bound.abort();
      this.running = null;
      for (const waiter of [...this.waiters]) waiter.answer();
    }
  }

  private listed(round: Running, listing: Outcome, listed: readonly Customer[], complete: boolean): void {
    if (this.stopping.signal.aborted) return;
    round.listingDone = true;
    this.listing = listing;
    this.tell((l) => l.listed?.(listing, listed.length));
    if (!listing.ok) return;
    this.listedOnce = true;
    // Only a complete listing says who is gone; a failed or partial one (rows skipped as malformed,
    // fewer rows than promised, a server repeating itself) drops nobody.
    if (!complete) return;
    const gone = this.fleet.keepOnly(new Set(listed.map((customer) => customer.id)));
    if (gone.length > 0) this.tell((l) => l.customersGone?.(gone));
  }

  /**
   * Answers the waiting scrapes that, at the round's pace so far, would wait past their deadline.
   * The pace is trusted only after a twentieth of the customers (at least 20): the first ones also
   * carry the token, the listing and any early 429 pause.
   */
  private paceCheck(round: Running): void {
    if (this.waiters.size === 0 || !round.listingDone) return;
    if (round.done < Math.min(round.customers, Math.max(MIN_PACE_SAMPLE, round.customers / 20))) return;
    const now = this.now();
    const perCustomer = (now - round.startedAt) / round.done;
    const expectedEnd = Math.min(round.deadline, now + (round.customers - round.done) * perCustomer);
    for (const waiter of [...this.waiters]) if (expectedEnd > waiter.deadline) waiter.answer();
  }

  private tell(call: (listener: RoundListener) => void): void {
    for (const listener of this.listeners) call(listener);
  }
}
