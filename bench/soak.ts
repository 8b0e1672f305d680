/**
 * `npm run soak`: 500 scrapes of the real HTTP app against a simulator injecting 10% errors, 5% 429s
 * and random latency. Reports resident memory (first and last), open handles and timers, and any
 * unhandled rejection; exits non-zero if something grows or goes wrong.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exporterFor, startSimulatorProcess } from "./harness.js";

const SCRAPES = Number(process.env.SOAK_SCRAPES ?? 500);
const gc = (globalThis as { gc?: () => void }).gc;
let unhandled = 0;
process.on("unhandledRejection", (reason) => {
  unhandled++;
  process.stderr.write(`unhandled rejection: ${String(reason)}\n`);
});

const resources = (): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
};
const rssMb = (): number => {
  gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};

const simulator = await startSimulatorProcess([
  "--customers=40",
  "--profiles=3",
  "--latency-ms=2",
  "--latency-jitter-ms=30",
  "--error-rate=0.10",
  "--throttle-rate=0.05",
  "--retry-after=none",
]);
const exporter = exporterFor(simulator.url, [
  "--avepoint.concurrency=8",
  "--avepoint.rate-limit=2000",
  "--avepoint.max-retries=2",
]);
const { app } = exporter;
const url = await app.listen({ host: "127.0.0.1", port: 0 });

const samples: { scrape: number; rssMb: number; resources: Record<string, number> }[] = [];
let failedScrapes = 0;
let partial = 0;
const started = Date.now();
for (let i = 1; i <= SCRAPES; i++) {
  const response = await fetch(`${url}/metrics`, { headers: { "X-Prometheus-Scrape-Timeout-Seconds": "3" } });
  const text = await response.text();
  if (response.status !== 200) failedScrapes++;
  if (/^avepoint_customer_collect_success\{[^}]*\} 0$/m.test(text)) partial++;
  if (i === 10 || i % 100 === 0) {
    samples.push({ scrape: i, rssMb: rssMb(), resources: resources() });
    process.stdout.write(`${JSON.stringify(samples.at(-1))}\n`);
  }
}
const seconds = (Date.now() - started) / 1000;
await exporter.close();
await simulator.stop();

const first = samples[0]!;
const last = samples.at(-1)!;
const timers = (s: (typeof samples)[number]) => s.resources.Timeout ?? 0;
const sockets = (s: (typeof samples)[number]) => s.resources.TCPSocketWrap ?? 0;
const report = {
  scrapes: SCRAPES,
  seconds,
  failedScrapes,
  scrapesWithAFailedCustomer: partial,
  unhandledRejections: unhandled,
  rssMbFirst: first.rssMb,
  rssMbLast: last.rssMb,
  timersFirst: timers(first),
  timersLast: timers(last),
  socketsFirst: sockets(first),
  socketsLast: sockets(last),
  samples,
};
const out = join(dirname(fileURLToPath(import.meta.url)), "../../bench/results/soak.json");
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
const { samples: _samples, ...summary } = report;
process.stdout.write(`\n${JSON.stringify(summary, null, 2)}\n`);
const grew =
  last.rssMb > first.rssMb * 1.3 + 10 ||
  timers(last) > timers(first) + 2 ||
  sockets(last) > sockets(first) + 2;
if (failedScrapes > 0 || unhandled > 0 || grew) {
  process.stderr.write("soak: FAILED (see above)\n");
  process.exit(1);
}
