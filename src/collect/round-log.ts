/** A round listener that logs: one line per failed customer and per round, and what needs an operator. */
import type { BreakerListener } from "./breaker.js";
import type { CustomerSelection } from "./select.js";
import type { RoundListener } from "./rounds.js";

export interface RoundLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const roundLog = (logger: RoundLogger, selection?: CustomerSelection): RoundListener => ({
  roundStarted: () => logger.debug({}, "collection round started"),
  listed: (listing, customers) => {
    if (!listing.ok)
      logger.warn(
        { reason: listing.reason, err: listing.message, customers },
        "cannot list customers; known customers are kept",
      );
  },
  customerDone: (result) => {
    if (!result.ok)
      logger.warn(
        { customer_id: result.customer.id, reason: result.reason, err: result.message },
        "customer collection failed",
      );
  },
  customersGone: (ids) =>
    logger.info(
      { customers: ids.length, customer_ids: ids.slice(0, 20).join(",") },
      "customers gone upstream",
    ),
  roundEnded: (summary) => {
    const unmatched = summary.listing.ok ? (selection?.takeUnmatched() ?? []) : [];
    if (unmatched.length > 0)
      logger.warn({ patterns: unmatched.join(",") }, "--collect.customers patterns matched no customer");
    const fields = {
      result: summary.result,
      up: summary.listing.ok,
      customers: summary.customers,
      collected: summary.collected,
      failed: Object.values(summary.failed).reduce((a, b) => a + b, 0),
      unreached: summary.unreached,
      duration_seconds: summary.durationSeconds,
    };
    if (summary.result === "halted")
      logger.warn(
        fields,
        "collection round halted: AvePoint fails for every customer; the customers not reached keep their data",
      );
    else if (summary.result === "cut")
      logger.warn(
        fields,
        "collection round cut by --collect.max-round-duration; the next round starts with the customers it did not reach",
      );
    else logger.info(fields, "collection round finished");
  },
});

/** Logs the circuit breaker: once when it opens, once per round it stops, once when it closes. */
export const breakerLog = (logger: RoundLogger): BreakerListener => ({
  changed: (open, consecutive) => {
    if (open === null) logger.info({}, "AvePoint answers again: collection rounds go on to every customer");
    else
      logger.warn(
        { reason: open, consecutive },
        "consecutive customers failed for the same upstream reason: rounds stop early until a customer is collected",
      );
  },
  halted: (reason, consecutive) =>
    logger.debug({ reason, consecutive }, "the rest of the round is not attempted (circuit open)"),
});
