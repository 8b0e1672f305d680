/**
 * The throttled scenario: the simulator enforces a limit of R requests/s that the exporter is not
 * told; the exporter's ceiling is 5R and it finds the limit by itself. Round 1 learns; round 2 is
 * measured: requests served per second against R, and the share of requests answered 429.
 */
import { METRICS } from "../src/metrics/names.js";
import { exporterFor, startSimulatorProcess } from "./harness.js";

export interface ThrottledRow {
  limit: number;
  ceiling: number;
  round1Seconds: number;
  round2Seconds: number;
  requests: number;
  served: number;
  refused: number;
  servedPerSecond: number;
  servedRatio: number;
  refusedPercent: number;
  learnedRate: number;
}

interface Stats {
  apiRequests: number;
  served: number;
  throttled: number;
}

const CUSTOMERS = 700;
const PROFILES = 2;

export const runThrottled = async (limit: number): Promise<ThrottledRow> => {
  // v3-batch: ⌈C/100⌉ + C + C·P requests = 2,107 per round, enough to see the rate settle.
  const simulator = await startSimulatorProcess([
    "--flavor=v3-batch",
    `--customers=${CUSTOMERS}`,
    `--profiles=${PROFILES}`,
    "--latency-ms=5",
    `--rate-limit=${limit}`,
  ]);
  const ceiling = 5 * limit;
  const exporter = exporterFor(simulator.url, [
    "--avepoint.api-flavor=v3-batch",
    `--avepoint.rate-limit=${ceiling}`,
    "--avepoint.adaptive-rate=true",
  ]);
  const round = async (): Promise<number> => {
    const started = performance.now();
    exporter.rounds.start();
    await exporter.rounds.idle();
    return (performance.now() - started) / 1000;
  };
  const round1Seconds = await round();
  await simulator.resetStats();
  const round2Seconds = await round();
  const stats = (await simulator.stats()) as unknown as Stats;
  const gauge = exporter.self.registry.getSingleMetric(METRICS.apiRate.name);
  const learnedRate = (await gauge!.get()).values[0]?.value ?? NaN;
  await exporter.close();
  await simulator.stop();
  const servedPerSecond = stats.served / round2Seconds;
  return {
    limit,
    ceiling,
    round1Seconds,
    round2Seconds,
    requests: stats.apiRequests,
    served: stats.served,
    refused: stats.throttled,
    servedPerSecond,
    servedRatio: servedPerSecond / limit,
    refusedPercent: (100 * stats.throttled) / stats.apiRequests,
    learnedRate,
  };
};

export const throttledTable = (rows: readonly ThrottledRow[]): string =>
  [
    `Throttled: the simulator allows R requests/s (token bucket, 429 with Retry-After above it), the exporter's ceiling is 5R, adaptive rate on; ${CUSTOMERS} customers × ${PROFILES} profiles, flavor v3-batch; round 2 measured.`,
    "",
    "| R /s | ceiling /s | round 1 s | round 2 s | requests | served /s | served ÷ R | answered 429 | rate learned /s |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.limit} | ${r.ceiling} | ${r.round1Seconds.toFixed(1)} | ${r.round2Seconds.toFixed(1)} | ${r.requests} | ${r.servedPerSecond.toFixed(1)} | ${r.servedRatio.toFixed(3)} | ${r.refusedPercent.toFixed(2)} % | ${r.learnedRate.toFixed(1)} |`,
    ),
    "",
  ].join("\n");
