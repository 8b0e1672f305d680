/**
 * The kept state's cost at 10,000 customers × 5 profiles: CPU and wall time of a save, the longest
 * event-loop delay during it, the file's size, and the time from start to a fully served fleet with a
 * kept state (read, checked, restored) against one collection round at the default rate without one.
 * Run alone (`node --expose-gc dist/bench/state.js`, after `npm run build`) or by `npm run bench`; prints a JSON
 * summary on its last line and writes bench/results/state.{json,md}.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { PartnerApi } from "../src/avepoint/index.js";
import { Rounds, type RoundsSnapshot } from "../src/collect/rounds.js";
import { readState, writeState } from "../src/state/file.js";
import { identityOf } from "../src/state/identity.js";

const here = dirname(fileURLToPath(import.meta.url));
const CUSTOMERS = Number(process.env.BENCH_STATE_CUSTOMERS ?? 10_000);
const PROFILES = 5;
const DEFAULT_RATE = 20;
const RUNS = 5;

const identity = identityOf({
  avepoint: {
    apiUrl: "https://graph.avepointonlineservices.com",
    tokenUrl: "https://identity.avepointonlineservices.com/connect/token",
    clientId: "00000000-0000-0000-0000-000000000000",
    flavor: "v3",
    region: null,
  },
  shard: { index: 0, total: 1 },
} as never);

const now = Math.floor(Date.now() / 1000);
const fleet = (): RoundsSnapshot => ({
  listing: { ok: true },
  listedOnce: true,
  updatedAt: now,
  lastComplete: { endedAt: now - 10, durationSeconds: 505 },
  lastCounts: { customers: CUSTOMERS, done: CUSTOMERS },
  lastEnd: (now - 10) * 1000,
  customers: Array.from({ length: CUSTOMERS }, (_, c) => {
    const id = `${String(c).padStart(8, "0")}-4b2a-4c1e-9f3d-0123456789ab`;
    return {
      customer: { id, name: `Contoso Customer ${c}`, country: "Germany", managementMode: 1, jobStatus: 1 },
      profiles: Array.from({ length: PROFILES }, (_, p) => ({
        id: `${String(c).padStart(8, "0")}-${p}000-4000-8000-00000000000${p}`,
        name: `Scan profile ${p} of customer ${c}`,
        scanMode: p % 2,
        tenantId: `${String(c).padStart(8, "0")}-aaaa-4bbb-8ccc-dddddddddddd`,
        tenantDomain: `customer${c}.onmicrosoft.com`,
        modifiedTimestamp: now - 86_400 * (p + 1),
        status: {
          lastScanStatus: c % 50 === 0 ? 3 : 2,
          newRegisteredObjects: c * 7 + p,
          movedObjects: p,
          removedObjects: c % 3,
          dailyReportTimestamp: now - 3600,
        },
      })),
      lastSuccess: now - (c % 500),
      last:
        c % 97 === 0
          ? { ok: false, reason: "http_5xx", message: "HTTP 503 from /v3/partner/customers" }
          : { ok: true },
      lastAttemptAt: now - (c % 500),
    };
  }),
});

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const nothing: PartnerApi = {
  flavor: "v3",
  listCustomers: () => Promise.reject(new Error("not in the benchmark")),
  profiles: () => Promise.reject(new Error("not in the benchmark")),
} as unknown as PartnerApi;

const dir = mkdtempSync(join(tmpdir(), "avepoint-bench-state-"));
try {
  const snapshot = fleet();
  // The fleet of a running exporter is long-lived (old generation) by its first save; so is this one.
  (globalThis as { gc?: () => void }).gc?.();
  const saves: { cpuMs: number; wallMs: number; maxDelayMs: number; bytes: number }[] = [];
  // Run 0 is the process's first save (code not yet optimised, the heap still growing): reported apart.
  for (let run = 0; run <= RUNS; run++) {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    // The longest gap between timer ticks during the save: what a scrape arriving then would wait.
    let last = performance.now();
    let maxGap = 0;
    const ticker = setInterval(() => {
      const t = performance.now();
      maxGap = Math.max(maxGap, t - last);
      last = t;
    }, 1);
    delay.enable();
    const cpu = process.cpuUsage();
    const start = performance.now();
    const { bytes } = await writeState(dir, {
      savedAt: now,
      identity,
      rounds: snapshot,
      rate: { rate: 12.5, refused: true },
    });
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    delay.disable();
    clearInterval(ticker);
    saves.push({
      cpuMs: (used.user + used.system) / 1000,
      wallMs,
      maxDelayMs: Math.max(delay.max / 1e6, maxGap),
      bytes,
    });
  }
  const first = saves.shift()!;
  const restores: number[] = [];
  let restored = 0;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    const read = readState(dir, { identity, now: now + 60 });
    if (!read.ok) throw new Error(`restore failed: ${read.reason} ${read.detail}`);
    const rounds = new Rounds(nothing, {
      minIntervalSeconds: 0,
      maxStaleSeconds: 3600,
      maxRoundSeconds: 900,
    });
    rounds.restore(read.content.rounds);
    restored = rounds.view().customers.filter((c) => c.profiles.length === PROFILES).length;
    restores.push(performance.now() - start);
  }
  // The v3 plan (avepoint-api §6): a page of 100 customers per request, one profile request per customer.
  const requests = Math.ceil(CUSTOMERS / 100) + CUSTOMERS;
  const summary = {
    customers: CUSTOMERS,
    profiles: PROFILES,
    node: process.version,
    saveCpuMs: median(saves.map((s) => s.cpuMs)),
    saveWallMs: median(saves.map((s) => s.wallMs)),
    saveMaxEventLoopDelayMs: median(saves.map((s) => s.maxDelayMs)),
    saveWorstEventLoopDelayMs: Math.max(...saves.map((s) => s.maxDelayMs)),
    firstSaveCpuMs: first.cpuMs,
    firstSaveMaxEventLoopDelayMs: first.maxDelayMs,
    loadAverage: loadavg()[0] ?? 0,
    cpus: cpus().length,
    fileBytes: saves[0]!.bytes,
    restoreMs: median(restores),
    restoredCustomers: restored,
    fullyServedBeforeSeconds: requests / DEFAULT_RATE,
    fullyServedAfterSeconds: median(restores) / 1000,
  };
  const table = [
    `Kept state, ${CUSTOMERS.toLocaleString("en")} customers × ${PROFILES} profiles (median of ${RUNS} saves after the process's first; load average ${summary.loadAverage.toFixed(1)} on ${summary.cpus} CPUs while measured):`,
    "",
    "| | value | goal |",
    "| --- | --- | --- |",
    `| save, CPU | ${summary.saveCpuMs.toFixed(0)} ms | ≤ 300 ms |`,
    `| save, wall time | ${summary.saveWallMs.toFixed(0)} ms | |`,
    `| longest event-loop delay during a save (median; worst of ${RUNS}) | ${summary.saveMaxEventLoopDelayMs.toFixed(1)} ms; ${summary.saveWorstEventLoopDelayMs.toFixed(1)} ms | < 50 ms |`,
    `| the process's first save: CPU, longest event-loop delay | ${summary.firstSaveCpuMs.toFixed(0)} ms, ${summary.firstSaveMaxEventLoopDelayMs.toFixed(1)} ms | |`,
    `| state file | ${(summary.fileBytes / 1024 ** 2).toFixed(1)} MiB | |`,
    `| restore (read, check, restore ${summary.restoredCustomers.toLocaleString("en")} customers) | ${summary.restoreMs.toFixed(0)} ms | ≤ 1.5 s |`,
    `| start to a fully served fleet, without a kept state (one round: ${requests.toLocaleString("en")} requests at ${DEFAULT_RATE}/s) | ${summary.fullyServedBeforeSeconds.toFixed(0)} s | |`,
    `| start to a fully served fleet, with a kept state | ${summary.fullyServedAfterSeconds.toFixed(2)} s | |`,
    "",
  ].join("\n");
  const out = join(here, "../../bench/results");
  writeFileSync(join(out, "state.json"), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(out, "state.md"), table);
  process.stdout.write(`${table}\n${JSON.stringify(summary)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
