/**
 * `npm run bench`: collection time against the ideal for the request plan, exposition cost, memory
 * and event-loop delay, at 100, 1,000 and 10,000 customers × 5 profiles (latency-bound); then rounds
 * against the rate (rate-bound, bench/rate-bound.ts). Writes bench/results/.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { request } from "node:http";
import type { View } from "../src/collect/view.js";
import { SETTINGS } from "../src/config/settings.js";
import { METRICS } from "../src/metrics/names.js";
import { buildApp } from "../src/server/app.js";
import { exporterFor, startSimulatorProcess } from "./harness.js";
import { rateBoundScenarios, rateBoundTable, runRateBound } from "./rate-bound.js";
import { runThrottled, throttledTable } from "./throttled.js";
import { renderWithPromClient } from "./prom-client-render.js";
import { largeReportTable, runLargeReport } from "./large-report.js";
import { doorTable, runPasswordFlood, runSlowReaders } from "./door.js";

const here = dirname(fileURLToPath(import.meta.url));
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const PROFILES = 5;
const HEAP_GROWTH = Number(
  process.env.BENCH_HEAP_GROWTH ?? SETTINGS.find((s) => s.flag === "runtime.heap-growth-percent")!.default,
);
const SCENARIOS = (process.env.BENCH_CUSTOMERS ?? "100,1000,10000").split(",").filter(Boolean).map(Number);
/**
 * customers@rate. 10,000 customers at 20/s is an 8.5-minute round; the default run scales it to
 * 2,500 at 20/s (BENCH_RATE_BOUND=10000@20 runs it in full).
 */
const RATE_BOUND = rateBoundScenarios(process.env.BENCH_RATE_BOUND ?? "1000@20,1000@100,10000@100,2500@20");
/** The simulator's hidden limits for the throttled scenario (requests/s); "" leaves it out. */
const THROTTLED = (process.env.BENCH_THROTTLED ?? "40").split(",").filter(Boolean).map(Number);

/** Requests of the v3 plan (avepoint-api §6), without the token request. */
const planRequests = (c: number, p: number): number => Math.ceil(c / 100) + c * Math.ceil(p / 100);

/**
 * The least time the plan can take: the first page of customers must arrive before anything else is
 * known, then the other requests go K at a time, each taking the latency; and never faster than the rate.
 */
const idealSeconds = (requests: number, latencyMs = LATENCY_MS): number =>
  Math.max((latencyMs / 1000) * (1 + Math.ceil((requests - 1) / CONCURRENCY)), requests / RATE);

/** GET a URL; resolves with the bytes received on the wire and the time to the last byte. */
const get = (url: string, headers: Record<string, string> = {}): Promise<{ bytes: number; ms: number }> =>
  new Promise((resolve, reject) => {
    const start = performance.now();
    request(url, { headers }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("end", () => resolve({ bytes, ms: performance.now() - start }));
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });

/** A scrape by a separate process (bench/get.ts), so that only the exporter's memory is measured. */
const scrape = (url: string, encoding = ""): Promise<{ bytes: number; ms: number }> =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, [join(here, "get.js"), url, encoding], (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout) as { bytes: number; ms: number });
    });
  });

/** Serves a fixed view, to time /metrics without a collection. */
const serveView = async (
  view: View,
  exporter: ReturnType<typeof exporterFor>,
): Promise<{ url: string; close(): Promise<void> }> => {
  const app = buildApp({
    rounds: { serve: async () => view, view: () => view, ready: true },
    selfRegistry: exporter.self.registry,
    version: "bench",
    telemetryPath: "/metrics",
    flavor: "v3",
    apiUrl: "http://bench",
    timeoutOffsetSeconds: 0.5,
    defaultTimeoutSeconds: 30,
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url, close: () => app.close() };
};

/** Sum and count of the exporter's request-duration histogram so far. */
const requestLatency = async (
  exporter: ReturnType<typeof exporterFor>,
): Promise<{ sum: number; count: number }> => {
  const metric = exporter.self.registry.getSingleMetric(METRICS.apiDuration.name);
  const values = metric ? (await metric.get()).values : [];
  const total = (suffix: string): number =>
    values
      .filter((v) => (v as { metricName?: string }).metricName?.endsWith(suffix))
      .reduce((sum, v) => sum + v.value, 0);
  return { sum: total("_sum"), count: total("_count") };
};

/** One whole round, as a scrape would start it; resolves with the view at its end. */
const fullRound = async (exporter: ReturnType<typeof exporterFor>): Promise<View> => {
  exporter.rounds.start();
  await exporter.rounds.idle();
  return exporter.rounds.view();
};

interface Row {
  customers: number;
  profiles: number;
  requests: number;
  collectSeconds: number;
  idealSeconds: number;
  ratio: number;
  /** Mean time of one request as the exporter saw it. */
  measuredLatencyMs: number;
  /** The collection against the ideal at that measured latency. */
  measuredRatio: number;
  renderMs: number;
  promClientRenderMs: number;
  bytes: number;
  gzipBytes: number;
  gzipMs: number;
  /** Extra CPU time the gzip answer cost over the plain one. */
  gzipCpuMs: number;
  peakRssMb: number;
  maxEventLoopDelayMs: number;
  maxHealthyMs: number;
  collectPhase: { rssMb: number; maxDelayMs: number };
  servePhase: { maxDelayMs: number };
  atPeakMb: Record<string, number>;
}

const time = async <T>(fn: () => T | Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
};

const rows: Row[] = [];
for (const customers of SCENARIOS) {
  const simulator = await startSimulatorProcess([
    `--customers=${customers}`,
    `--profiles=${PROFILES}`,
    `--latency-ms=${LATENCY_MS}`,
  ]);
  const exporter = exporterFor(simulator.url, [
    `--avepoint.concurrency=${CONCURRENCY}`,
    `--avepoint.rate-limit=${RATE}`,
    // latency-bound: the rate is a fixed ceiling far above what the latency allows
    "--avepoint.adaptive-rate=false",
    `--runtime.heap-growth-percent=${HEAP_GROWTH}`,
  ]);
  // Warm-up: token, connections, JIT — then measure a full collection as Prometheus would cause it.
  await fullRound(exporter);
  await simulator.resetStats();
  let peakRss = process.memoryUsage().rss;
  let peakAt = process.memoryUsage();
  const rssTimer = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) [peakRss, peakAt] = [m.rss, m];
  }, 20);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const latency0 = await requestLatency(exporter);
  const [view, collectMs] = await time(() => fullRound(exporter));
  const latency1 = await requestLatency(exporter);
  // What a request really took, simulator and HTTP included (the simulator's 50 ms is its sleep alone).
  const measuredLatencyMs = (1000 * (latency1.sum - latency0.sum)) / (latency1.count - latency0.count);
  const collectPhase = { rssMb: peakRss / 2 ** 20, maxDelayMs: loop.max / 1e6 };
  loop.reset();
  const served = await serveView(view, exporter);
  // /-/healthy is polled all along: its slowest answer shows what an operator would feel.
  let maxHealthyMs = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const { ms } = await get(`${served.url}/-/healthy`);
      maxHealthyMs = Math.max(maxHealthyMs, ms);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const cpu0 = process.cpuUsage();
  const plain = await scrape(`${served.url}/metrics`);
  const cpu1 = process.cpuUsage(cpu0);
  const gzip = await scrape(`${served.url}/metrics`, "gzip");
  const cpu2 = process.cpuUsage(cpu0);
  // The exporter's CPU for each answer (the client is another process); the difference is gzip's.
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  const gzipCpuMs = cpuMs(cpu2) - 2 * cpuMs(cpu1);
  polling = false;
  await poller;
  await served.close();
  loop.disable();
  clearInterval(rssTimer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  // The alternative needs far more memory than the exporter; BENCH_PROM_CLIENT=0 leaves it out.
  const [, promClientRenderMs] =
    process.env.BENCH_PROM_CLIENT === "0" ? [undefined, NaN] : await time(() => renderWithPromClient(view));
  const { apiRequests } = await simulator.stats();
  const expected = planRequests(customers, PROFILES);
  if (apiRequests !== expected) throw new Error(`requests ${apiRequests} differ from the plan ${expected}`);
  const ideal = idealSeconds(apiRequests);
  const measuredIdeal = idealSeconds(apiRequests, measuredLatencyMs);
  rows.push({
    customers,
    profiles: PROFILES,
    requests: apiRequests,
    collectSeconds: collectMs / 1000,
    idealSeconds: ideal,
    ratio: collectMs / 1000 / ideal,
    measuredLatencyMs,
    measuredRatio: collectMs / 1000 / measuredIdeal,
    renderMs: plain.ms,
    promClientRenderMs,
    bytes: plain.bytes,
    gzipBytes: gzip.bytes,
    gzipMs: gzip.ms,
    gzipCpuMs,
    peakRssMb: peakRss / 2 ** 20,
    maxEventLoopDelayMs: Math.max(collectPhase.maxDelayMs, loop.max / 1e6),
    maxHealthyMs,
    collectPhase,
    servePhase: { maxDelayMs: loop.max / 1e6 },
    atPeakMb: Object.fromEntries(Object.entries(peakAt).map(([k, v]) => [k, Math.round(v / 2 ** 20)])),
  });
  process.stdout.write(`${JSON.stringify(rows.at(-1))}\n`);
  await exporter.close();
  await simulator.stop();
}

const f = (n: number, digits = 2): string => n.toFixed(digits);
// gzip's extra CPU is the difference of two readings: at 100 customers it is within their noise.
const table = [
  `Latency ${LATENCY_MS} ms per request, ${CONCURRENCY} in flight, rate limit ${RATE}/s, flavor v3, heap growth ${HEAP_GROWTH === 0 ? "V8's own" : `${HEAP_GROWTH} %`}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
  "",
  "| customers × profiles | requests | collection s | ideal s | ratio | measured latency ms | ratio at measured latency | /metrics ms | prom-client registry ms | size MB | /metrics gzip ms | gzip extra CPU ms | gzip MB | peak RSS MB | max event-loop delay ms | slowest /-/healthy ms |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.customers} × ${r.profiles} | ${r.requests} | ${f(r.collectSeconds)} | ${f(r.idealSeconds)} | ${f(r.ratio, 3)} | ${f(r.measuredLatencyMs, 1)} | ${f(r.measuredRatio, 3)} | ${f(r.renderMs, 0)} | ${f(r.promClientRenderMs, 0)} | ${f(r.bytes / 1e6)} | ${f(r.gzipMs, 0)} | ${r.gzipCpuMs < 1 ? "<1" : f(r.gzipCpuMs, 0)} | ${f(r.gzipBytes / 1e6)} | ${f(r.peakRssMb, 0)} | ${f(r.maxEventLoopDelayMs, 0)} | ${f(r.maxHealthyMs, 0)} |`,
  ),
  "",
].join("\n");
const rateRows = await runRateBound(RATE_BOUND);
const rateTable = rateBoundTable(rateRows);
const throttledRows: Awaited<ReturnType<typeof runThrottled>>[] = [];
for (const limit of THROTTLED) throttledRows.push(await runThrottled(limit));
const throttleTable = throttledRows.length > 0 ? throttledTable(throttledRows) : "";
/** CPU and allocations per upstream request, beside axios alone (bench/request-cost.ts, its own process). */
const cost =
  process.env.BENCH_COST === "0"
    ? null
    : (JSON.parse(
        await new Promise<string>((resolve, reject) =>
          execFile(process.execPath, [join(here, "request-cost.js")], (err, stdout) =>
            err ? reject(err) : resolve(stdout),
          ),
        ),
      ) as {
        rows: { what: string; requests: number; cpuMsPerRequest: number; allocatedKbPerRequest: number }[];
        addedCpuMsPerRequest: number;
      });
const costTable = cost
  ? [
      "Cost per upstream request (10,000 customers, v3, 10,100 requests; CPU of one round, allocations from V8's sampling heap profiler in a second round):",
      "",
      "| | requests | CPU ms per request | KiB allocated per request |",
      "| --- | --- | --- | --- |",
      ...cost.rows.map(
        (r) =>
          `| ${r.what} | ${r.requests} | ${r.cpuMsPerRequest.toFixed(3)} | ${r.allocatedKbPerRequest.toFixed(1)} |`,
      ),
      "",
      `The exporter adds ${cost.addedCpuMsPerRequest.toFixed(3)} ms of CPU per request to axios alone.`,
      "",
    ].join("\n")
  : "";
// A ~100 MB daily report read with bounded memory (bench/large-report.ts).
const largeReportRows = process.env.BENCH_REPORT === "0" ? [] : await runLargeReport();
const reportTable = largeReportRows.length > 0 ? largeReportTable(largeReportRows) : "";
/** The exporter's own door: wrong-password flood and slow readers (bench/door.ts); BENCH_DOOR=0 leaves it out. */
const door =
  process.env.BENCH_DOOR === "0" ? null : { flood: await runPasswordFlood(), slow: await runSlowReaders() };
const doorText = door ? doorTable(door.flood, door.slow) : "";
// The kept state's cost (bench/state.ts, in a process of its own: its heap is not the exporter's).
const stateTable = (
  await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["--expose-gc", join(here, "state.js")], (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    ),
  )
)
  .split("\n")
  .filter((line) => !line.startsWith("{"))
  .join("\n");
const out = join(here, "../../bench/results");
writeFileSync(
  join(out, "results.json"),
  `${JSON.stringify({ latencyMs: LATENCY_MS, concurrency: CONCURRENCY, rate: RATE, heapGrowthPercent: HEAP_GROWTH, node: process.version, rows, rateBound: rateRows, throttled: throttledRows, requestCost: cost, largeReport: largeReportRows, door }, null, 2)}\n`,
);
const sections = [table, rateTable, throttleTable, costTable, reportTable, doorText, stateTable];
writeFileSync(join(out, "results.md"), sections.join("\n"));
process.stdout.write(`\n${sections.join("\n")}`);
