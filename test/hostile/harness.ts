/**
 * The exporter against a hostile upstream, in process (built as main.ts builds it) and the checks
 * every hostile case ends with: alive, /metrics 200 and valid, nothing leaked.
 */
import { expect, onTestFinished } from "vitest";
import type { Simulator } from "avepoint-simulator";
import { exporterFor, SECRET, type TestExporter } from "../helpers/exporter.js";
import { series, value, type Sample, type Scrape } from "../helpers/exposition.js";
import { expositionProblems } from "../helpers/exposition-check.js";
import type { HostileUpstream } from "./upstream.js";

export { SECRET };

export type { Scrape };

/** An in-process exporter pointed at `upstream`, closed when the running test finishes. */
export const hostileExporter = async (
  upstream: HostileUpstream,
  argv: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<TestExporter> => {
  // exporterFor reads nothing of a simulator but its two URLs.
  const target = { apiUrl: upstream.apiUrl, tokenUrl: upstream.tokenUrl } as unknown as Simulator;
  const exporter = await exporterFor(target, argv, env);
  onTestFinished(() => exporter.close());
  return exporter;
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * True once a listing of customers has ended (avepoint_up is there), every customer in `ids` has a
 * collect_success series, and no round is still running.
 */
export const reports = (samples: readonly Sample[], ids: readonly string[]): boolean =>
  value(samples, "avepoint_up") !== undefined &&
  ids.every((id) => series(samples, "avepoint_customer_collect_success", { customer_id: id }).length > 0) &&
  value(samples, "avepoint_collect_round_running") !== 1;

/**
 * Scrapes until the collection a scrape started has reported every customer in `ids` (a round may
 * outlive the scrape that started it), or `withinMs` passed; returns the last scrape either way.
 */
export const settle = async (
  scrape: () => Promise<Scrape>,
  ids: readonly string[],
  withinMs = 25_000,
): Promise<Scrape> => {
  const until = Date.now() + withinMs;
  for (;;) {
    const result = await scrape();
    if (result.status !== 200 || reports(result.samples, ids) || Date.now() > until) return result;
    await sleep(100);
  }
};

/** A scrape of the in-process exporter with a generous scrape timeout. */
export const scrapeOf =
  (exporter: TestExporter, timeoutSeconds = 20) =>
  (): Promise<Scrape> =>
    exporter.scrape({ "x-prometheus-scrape-timeout-seconds": String(timeoutSeconds) });

export const successOf = (samples: readonly Sample[], id: string): number | undefined =>
  value(samples, "avepoint_customer_collect_success", { customer_id: id });

/** Sum of a family's samples matching `match`. */
export const total = (samples: readonly Sample[], name: string, match: Record<string, string> = {}): number =>
  series(samples, name, match).reduce((sum, s) => sum + s.value, 0);

export const errorsOf = (samples: readonly Sample[], id: string, reason: string): number =>
  total(samples, "avepoint_customer_collect_errors_total", { customer_id: id, reason });

export const parseErrors = (samples: readonly Sample[], reason: string): number =>
  total(samples, "avepoint_api_parse_errors_total", { reason });

/** Customer IDs named by any series of the exposition. */
export const customerIdsIn = (samples: readonly Sample[]): Set<string> =>
  new Set(samples.map((s) => s.labels.customer_id).filter((id): id is string => id !== undefined));

/** The exposition is 200, reads cleanly and has no duplicate series. */
export const expectValidExposition = (scrape: Scrape): void => {
  expect(scrape.status, scrape.text.slice(0, 500)).toBe(200);
  expect(expositionProblems(scrape.text)).toEqual([]);
  expect(scrape.samples.length).toBeGreaterThan(0);
};

/** Neither the upstream's token nor the client secret appears in any of `texts`. */
export const expectNoLeak = (upstream: HostileUpstream, texts: readonly string[], secret = SECRET): void => {
  for (const text of texts) {
    expect(text).not.toContain(upstream.token);
    expect(text).not.toContain(secret);
  }
};

/**
 * What every hostile case ends with for an in-process exporter: still answering, /metrics 200 and
 * valid, every good customer reported with success 1, and no token or secret on /metrics, `/` or
 * in the logs.
 */
export const expectSurvived = async (
  exporter: TestExporter,
  upstream: HostileUpstream,
  scrape: Scrape,
  good: readonly string[],
): Promise<void> => {
  expect((await exporter.app.inject({ method: "GET", url: "/-/healthy" })).statusCode).toBe(200);
  expectValidExposition(scrape);
  for (const id of good) expect(successOf(scrape.samples, id), `collect_success of ${id}`).toBe(1);
  const landing = await exporter.app.inject({ method: "GET", url: "/" });
  expect(landing.statusCode).toBe(200);
  expectNoLeak(upstream, [scrape.text, landing.body, exporter.logs.join("\n")]);
};

/** Requests the upstream saw for one customer's profile list (all its pages). */
export const listRequests = (
  upstream: HostileUpstream,
  ownerOf: (req: HostileUpstream["requests"][number]) => string | null,
  customerId: string,
): number => upstream.apiRequests().filter((r) => ownerOf(r) === customerId).length;
