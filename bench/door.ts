/**
 * The exporter's own door under attack, measured (the tests prove the mechanisms; these are the
 * figures): 50 concurrent wrong-password clients for 10 s against basic auth (health latency, and an
 * authenticated scrape every 2 s within Prometheus's default 10 s timeout); 1,000 sockets that request
 * /metrics at 1,000 customers and never read (peak RSS, health answered). The attackers run in a child
 * process so that only the exporter's memory and event loop are measured.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { parseConfig, type ParsedArgs } from "../src/config/parse.js";
import { createExporter, type Exporter } from "../src/exporter.js";
import { loadWebConfig } from "../src/web-config/web-config.js";
import { startSimulatorProcess } from "./harness.js";

const USER = "prometheus";
const PASSWORD = "bench-door-password";

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** A timed GET (no keep-alive); status 0 when it failed or timed out. */
const timedGet = async (
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<{ status: number; ms: number }> => {
  const start = performance.now();
  try {
    const answer = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await answer.arrayBuffer();
    return { status: answer.status, ms: performance.now() - start };
  } catch {
    return { status: 0, ms: performance.now() - start };
  }
};

/** Runs `source` (an ES module) in a child Node process with these arguments; resolves with its stdout. */
const attacker = (source: string, args: string[]): { done: Promise<string> } => {
  const child = spawn(process.execPath, ["--input-type=module", "-e", source, "--", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  process.once("exit", () => child.kill("SIGKILL"));
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return { done: new Promise((resolve) => child.once("exit", () => resolve(out))) };
};

const FLOOD = `
const [url, clients, seconds] = process.argv.slice(-3);
const until = Date.now() + Number(seconds) * 1000;
const codes = {};
let n = 0;
await Promise.all(Array.from({ length: Number(clients) }, async (_, c) => {
  while (Date.now() < until) {
    const auth = "Basic " + Buffer.from("prometheus:wrong-" + c + "-" + n++).toString("base64");
    try {
      const r = await fetch(url, { headers: { authorization: auth } });
      await r.arrayBuffer();
      codes[r.status] = (codes[r.status] ?? 0) + 1;
    } catch { codes.error = (codes.error ?? 0) + 1; }
  }
}));
process.stdout.write(JSON.stringify(codes));
`;

const SLOW_READERS = `
import { connect } from "node:net";
const [port, sockets, seconds] = process.argv.slice(-3).map(Number);
const open = [];
for (let i = 0; i < sockets; i++) {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  socket.pause();
  socket.write("GET /metrics HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n");
  open.push(socket);
}
await new Promise((r) => setTimeout(r, seconds * 1000));
const stillOpen = open.filter((s) => !s.destroyed).length;
for (const s of open) s.destroy();
process.stdout.write(JSON.stringify({ stillOpen }));
`;

const exporterWith = async (url: string, argv: string[], webFile?: string): Promise<Exporter> => {
  const { config } = parseConfig(
    [
      `--avepoint.api-url=${url}`,
      `--avepoint.token-url=${url}/connect/token`,
      "--avepoint.client-id=demo-client",
      ...(webFile ? [`--web.config.file=${webFile}`] : []),
      ...argv,
    ],
    { AVEPOINT_CLIENT_SECRET: "demo-secret" },
    () => "",
  ) as ParsedArgs;
  const web = webFile ? await loadWebConfig(webFile) : null;
  return createExporter(config, { version: "bench", web });
};

export interface PasswordFloodRow {
  clients: number;
  seconds: number;
  floodAnswers: Record<string, number>;
  healthyP50Ms: number;
  healthyP99Ms: number;
  healthyMaxMs: number;
  healthyFailed: number;
  scrapes: number;
  scrapesInTime: number;
  scrapeAnswers: string[];
}

export const runPasswordFlood = async (clients = 50, seconds = 10): Promise<PasswordFloodRow> => {
  const simulator = await startSimulatorProcess(["--customers=100", "--profiles=5", "--latency-ms=0"]);
  const dir = mkdtempSync(join(tmpdir(), "bench-door-"));
  const webFile = join(dir, "web.yml");
  writeFileSync(webFile, `basic_auth_users:\n  ${USER}: ${bcrypt.hashSync(PASSWORD, 10)}\n`);
  const exporter = await exporterWith(simulator.url, [], webFile);
  const base = await exporter.app.listen({ host: "127.0.0.1", port: 0 });
  const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}` };
  await timedGet(`${base}/metrics`, auth, 60_000);

  const flood = attacker(FLOOD, [`${base}/metrics`, String(clients), String(seconds)]);
  const healthy: number[] = [];
  let healthyFailed = 0;
  const scrapes: { status: number; ms: number }[] = [];
  const until = performance.now() + seconds * 1000;
  const probe = (async () => {
    while (performance.now() < until) {
      const { status, ms } = await timedGet(`${base}/-/healthy`, {}, 5000);
      if (status === 200) healthy.push(ms);
      else healthyFailed++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const scraper = (async () => {
    while (performance.now() < until) {
      scrapes.push(await timedGet(`${base}/metrics`, auth, 10_000));
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  })();
  await Promise.all([probe, scraper]);
  const floodAnswers = JSON.parse((await flood.done) || "{}") as Record<string, number>;
  await exporter.close();
  await simulator.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    clients,
    seconds,
    floodAnswers,
    healthyP50Ms: percentile(healthy, 50),
    healthyP99Ms: percentile(healthy, 99),
    healthyMaxMs: Math.max(...healthy),
    healthyFailed,
    scrapes: scrapes.length,
    scrapesInTime: scrapes.filter((s) => s.status === 200 && s.ms < 10_000).length,
    scrapeAnswers: scrapes.map((s) => `${s.status} in ${Math.round(s.ms)} ms`),
  };
};

export interface SlowReadersRow {
  customers: number;
  sockets: number;
  rssBeforeMb: number;
  peakRssMb: number;
  healthyMaxMs: number;
  healthyFailed: number;
  socketsStillOpen: number;
}

export const runSlowReaders = async (
  customers = 1000,
  sockets = 1000,
  seconds = 15,
): Promise<SlowReadersRow> => {
  const simulator = await startSimulatorProcess([
    `--customers=${customers}`,
    "--profiles=5",
    "--latency-ms=0",
  ]);
  const exporter = await exporterWith(simulator.url, [
    "--avepoint.rate-limit=5000",
    "--avepoint.adaptive-rate=false",
  ]);
  exporter.rounds.start();
  await exporter.rounds.idle();
  const base = await exporter.app.listen({ host: "127.0.0.1", port: 0 });
  await timedGet(`${base}/metrics`, {}, 60_000);
  globalThis.gc?.();
  const rssBeforeMb = process.memoryUsage().rss / 1e6;
  let peak = rssBeforeMb;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / 1e6)), 50);
  const port = Number(new URL(base).port);
  const readers = attacker(SLOW_READERS, [String(port), String(sockets), String(seconds)]);
  const healthy: number[] = [];
  let healthyFailed = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const { status, ms } = await timedGet(`${base}/-/healthy`, {}, 5000);
    if (status === 200) healthy.push(ms);
    else healthyFailed++;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const { stillOpen } = JSON.parse((await readers.done) || "{}") as { stillOpen?: number };
  clearInterval(sampler);
  await exporter.close();
  await simulator.stop();
  return {
    customers,
    sockets,
    rssBeforeMb,
    peakRssMb: peak,
    healthyMaxMs: Math.max(...healthy),
    healthyFailed,
    socketsStillOpen: stillOpen ?? NaN,
  };
};

const f = (n: number, digits = 0): string => n.toFixed(digits);

export const doorTable = (flood: PasswordFloodRow, slow: SlowReadersRow): string =>
  [
    `Wrong passwords: ${flood.clients} concurrent clients for ${flood.seconds} s against basic auth (bcrypt cost 10):`,
    "",
    "| /-/healthy p50 ms | p99 ms | max ms | health failed | authenticated scrapes in time | flood answers |",
    "| --- | --- | --- | --- | --- | --- |",
    `| ${f(flood.healthyP50Ms, 1)} | ${f(flood.healthyP99Ms, 1)} | ${f(flood.healthyMaxMs, 1)} | ${flood.healthyFailed} | ${flood.scrapesInTime} of ${flood.scrapes} | ${Object.entries(
      flood.floodAnswers,
    )
      .map(([code, n]) => `${code}: ${n}`)
      .join(", ")} |`,
    "",
    `Slow readers: ${slow.sockets} sockets request /metrics and never read, ${slow.customers} customers × 5 profiles:`,
    "",
    "| RSS before MB | peak RSS MB | /-/healthy max ms | health failed | sockets still open at the end |",
    "| --- | --- | --- | --- | --- |",
    `| ${f(slow.rssBeforeMb)} | ${f(slow.peakRssMb)} | ${f(slow.healthyMaxMs, 1)} | ${slow.healthyFailed} | ${slow.socketsStillOpen} |`,
    "",
  ].join("\n");
