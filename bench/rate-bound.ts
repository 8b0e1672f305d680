/**
 * The rate-bound scenario: fleets whose round takes far longer than a scrape timeout. Prometheus-like
 * scrapes (10 s timeout header) come every few seconds while the round they started runs; the round's
 * time is compared with its request plan ÷ the rate, and every scrape must be answered within its
 * timeout.
 */
import { request } from "node:http";
import type { Exporter } from "../src/exporter.js";
import { exporterFor, startSimulatorProcess } from "./harness.js";

export interface RateBoundRow {
  customers: number;
  rate: number;
  /** API and token requests of the round, as the simulator counted them. */
  requests: number;
  roundSeconds: number;
  /** requests ÷ rate. */
  planSeconds: number;
  ratio: number;
  /** The least the limiter allows: its bucket holds one second's worth, sent at once. */
  idealSeconds: number;
  idealRatio: number;
  scrapes: number;
  slowestScrapeMs: number;
  scrapeTimeoutMs: number;
  allAnsweredInTime: boolean;
}

const SCRAPE_TIMEOUT_S = 10;
const SCRAPE_INTERVAL_MS = 5000;
const PROFILES = 5;

/** "1000@20,10000@100" → [[1000, 20], [10000, 100]] */
export const rateBoundScenarios = (text: string): [number, number][] =>
  text
    .split(",")
    .filter(Boolean)
    .map((pair) => pair.split("@").map(Number) as [number, number]);

const timedGet = (url: string): Promise<{ status: number; ms: number }> =>
  new Promise((resolve, reject) => {
    const start = performance.now();
    request(url, { headers: { "x-prometheus-scrape-timeout-seconds": String(SCRAPE_TIMEOUT_S) } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });

const roundOf = async (exporter: Exporter, url: string) => {
  const times: number[] = [];
  const started = performance.now();
  let ended = false;
  const idle = (async () => {
    // the first scrape starts the round
    times.push((await timedGet(url)).ms);
    await exporter.rounds.idle();
    ended = true;
  })();
  while (!ended) {
    await Promise.race([idle, new Promise((r) => setTimeout(r, SCRAPE_INTERVAL_MS))]);
    if (!ended) times.push((await timedGet(url)).ms);
  }
  await idle;
  return { seconds: (performance.now() - started) / 1000, times };
};

export const runRateBound = async (scenarios: [number, number][]): Promise<RateBoundRow[]> => {
  const rows: RateBoundRow[] = [];
  for (const [customers, rate] of scenarios) {
    const simulator = await startSimulatorProcess([
      `--customers=${customers}`,
      `--profiles=${PROFILES}`,
      "--latency-ms=5",
    ]);
    // A fixed rate: the round is compared with plan ÷ rate (the adaptive rate's ramp is measured apart).
    const exporter = exporterFor(simulator.url, [
      `--avepoint.rate-limit=${rate}`,
      "--avepoint.adaptive-rate=false",
      "--collect.max-round-duration=1h",
    ]);
    const url = `${await exporter.app.listen({ host: "127.0.0.1", port: 0 })}/metrics`;
    const { seconds, times } = await roundOf(exporter, url);
    const stats = await simulator.stats();
    const requests = stats.apiRequests + stats.tokenRequests;
    const view = exporter.rounds.view();
    if (view.customers.filter((c) => c.last?.ok).length !== customers)
      throw new Error(`${customers}@${rate}: not every customer was collected`);
    const planSeconds = requests / rate;
    const idealSeconds = Math.max(requests - rate, 0) / rate;
    const slowest = Math.max(...times);
    rows.push({
      customers,
      rate,
      requests,
      roundSeconds: seconds,
      planSeconds,
      ratio: seconds / planSeconds,
      idealSeconds,
      idealRatio: seconds / idealSeconds,
      scrapes: times.length,
      slowestScrapeMs: slowest,
      scrapeTimeoutMs: SCRAPE_TIMEOUT_S * 1000,
      allAnsweredInTime: slowest < SCRAPE_TIMEOUT_S * 1000,
    });
    process.stdout.write(`${JSON.stringify(rows.at(-1))}\n`);
    await exporter.close();
    await simulator.stop();
  }
  return rows;
};

export const rateBoundTable = (rows: readonly RateBoundRow[]): string =>
  [
    `Rate-bound rounds: v3, ${PROFILES} profiles per customer, 5 ms latency, fixed rate (--avepoint.adaptive-rate=false), default concurrency; a scrape with a ${SCRAPE_TIMEOUT_S} s timeout header every ${SCRAPE_INTERVAL_MS / 1000} s while the round runs.`,
    "",
    "| customers | rate /s | requests | round s | plan ÷ rate s | ratio | ideal s (first second's burst) | ratio to ideal | scrapes | slowest scrape ms | all within timeout |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.customers} | ${r.rate} | ${r.requests} | ${r.roundSeconds.toFixed(2)} | ${r.planSeconds.toFixed(2)} | ${r.ratio.toFixed(3)} | ${r.idealSeconds.toFixed(2)} | ${r.idealRatio.toFixed(3)} | ${r.scrapes} | ${r.slowestScrapeMs.toFixed(0)} | ${r.allAnsweredInTime ? "yes" : "no"} |`,
    ),
    "",
  ].join("\n");
