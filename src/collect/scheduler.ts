/**
 * One collection at a time: concurrent scrapes share the one in flight, scrapes within
 * min-interval of the last collection are served from it, and every collection has a deadline.
 */
import { setMaxListeners } from "node:events";
import type { PartnerApi } from "../avepoint/index.js";
import type { FailureReason } from "../errors.js";
import { collect } from "./collect.js";
import { mergeSnapshot } from "./merge.js";
import type { CustomerSelection } from "./select.js";
import type { Snapshot, View } from "./snapshot.js";

export interface CollectLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CollectHooks {
  /** After each collection (not for served-from-cache scrapes). */
  collected?(snapshot: Snapshot): void;
}

export interface SchedulerOptions {
  readonly minIntervalSeconds: number;
  readonly maxStaleSeconds: number;
  /** Customers in progress at once (see CollectOptions). */
  readonly customerParallelism?: number;
  readonly selection?: CustomerSelection;
  readonly logger?: CollectLogger;
  readonly hooks?: CollectHooks;
  readonly now?: () => number;
}

export class Scheduler {
  private view: View | null = null;
  private succeeded = false;
  private inflight: Promise<View> | null = null;
  private readonly now: () => number;
  /** Aborts a collection in flight at shutdown. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly api: PartnerApi,
    private readonly options: SchedulerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The view last served, null before the first collection. */
  get current(): View | null {
    return this.view;
  }

  /**
   * The view for a scrape that must be answered by `deadline` (epoch ms). Never rejects.
   */
  get(deadline: number): Promise<View> {
    if (this.inflight) return this.joinInflight(this.inflight, deadline);
    const view = this.view;
    if (
      view &&
      this.options.minIntervalSeconds > 0 &&
      this.now() / 1000 - view.collectedAt < this.options.minIntervalSeconds
    )
      return Promise.resolve(view);
    this.inflight = this.run(deadline).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** True once a collection could authenticate and list customers (readiness). */
  get hasSucceeded(): boolean {
    return this.succeeded;
  }

  /**
   * A scrape joining a collection started by someone else waits at most until its own deadline;
   * then it gets the last complete view (if there is one) rather than timing out.
   */
  private joinInflight(inflight: Promise<View>, deadline: number): Promise<View> {
    const fallback = this.view;
    const wait = deadline - this.now();
    if (fallback === null) return inflight;
    if (wait <= 0) return Promise.resolve(fallback);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(fallback), wait);
      void inflight.then((view) => {
        clearTimeout(timer);
        resolve(view);
      });
    });
  }

  stop(): void {
    this.stopping.abort();
  }

  private async run(deadline: number): Promise<View> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(0, deadline - this.now()));
    const signal = AbortSignal.any([controller.signal, this.stopping.signal]);
    // Every request and wait of the collection listens to this one signal.
    setMaxListeners(0, signal);
    let snapshot: Snapshot;
    try {
      snapshot = await collect(this.api, {
        signal,
        deadline,
        now: this.now,
        ...(this.options.customerParallelism
          ? { customerParallelism: this.options.customerParallelism }
          : {}),
        ...(this.options.selection ? { accept: this.options.selection.accept } : {}),
      });
    } finally {
      clearTimeout(timer);
      // Nothing of this collection may outlive it.
      controller.abort();
    }
    this.view = mergeSnapshot(this.view, snapshot, this.options.maxStaleSeconds);
    if (snapshot.up) this.succeeded = true;
    this.report(snapshot);
    return this.view;
  }

  private report(snapshot: Snapshot): void {
    const { logger, hooks, selection } = this.options;
    hooks?.collected?.(snapshot);
    if (!logger) return;
    if (snapshot.upError)
      logger.warn(
        { reason: snapshot.upError.reason, err: snapshot.upError.message },
        "cannot list customers",
      );
    const failures: Partial<Record<FailureReason, number>> = {};
    for (const result of snapshot.customers) {
      if (result.ok) continue;
      failures[result.reason] = (failures[result.reason] ?? 0) + 1;
      logger.warn(
        { customer_id: result.customer.id, reason: result.reason, err: result.message },
        "customer collection failed",
      );
    }
    const unmatched = selection?.takeUnmatched() ?? [];
    if (snapshot.up && unmatched.length > 0)
      logger.warn({ patterns: unmatched.join(",") }, "--collect.customers patterns matched no customer");
    logger.info(
      {
        up: snapshot.up,
        customers: snapshot.customers.length,
        failed: Object.values(failures).reduce((a, b) => a + b, 0),
        duration_seconds: snapshot.durationSeconds,
      },
      "collection finished",
    );
  }
}
