/**
 * `npm run demo`: the simulator and the exporter wired to it, on loopback. The fleet shows a few failed
 * scans and one customer whose collection fails. The banner with the URLs comes once the exporter
 * listens. DEMO_PORT chooses the exporter's port (default 10123; 0 for any free one).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { prepareDemoFleet, startSimulator } from "avepoint-simulator";

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_PORT = 10123;
const CUSTOMERS = 25;
const PROFILES = 4;

const stop = (message: string, code: number): never => {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(code);
};

const portText = process.env.DEMO_PORT?.trim() || String(DEFAULT_PORT);
const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
if (!(port >= 0 && port <= 65535))
  stop(`DEMO_PORT must be a port number from 0 to 65535, got "${portText}"`, 2);

const anotherPort = (taken: number): string =>
  `port ${taken} is taken; choose another: DEMO_PORT=${taken === DEFAULT_PORT ? DEFAULT_PORT + 100 : DEFAULT_PORT} npm run demo`;

/** Whether something already listens there; asked before anything starts, so the answer is one line. */
const taken = (wanted: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (wanted === 0) return resolve(false);
    const probe = createServer()
      .once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EADDRINUSE"))
      .listen(wanted, "127.0.0.1", () => probe.close(() => resolve(false)));
  });

if (await taken(port)) stop(anotherPort(port), 1);

const simulator = await startSimulator({
  port: 0,
  customers: CUSTOMERS,
  profilesPerCustomer: PROFILES,
  objectLists: "light",
  faults: { latencyMs: 20, latencyJitterMs: 30 },
});
const failures = prepareDemoFleet(simulator);

// The demo's own kept state: each demo's simulator is a new partner (new port, new data), so a shared
// directory would only ever hold a state written for another one.
const storage = mkdtempSync(join(tmpdir(), "avepoint-exporter-state-"));
const exporter = spawn(
  process.execPath,
  [
    join(here, "../src/main.js"),
    `--web.listen-address=127.0.0.1:${port}`,
    `--avepoint.api-url=${simulator.apiUrl}`,
    `--avepoint.token-url=${simulator.tokenUrl}`,
    "--avepoint.client-id=demo-client",
    `--storage.path=${storage}`,
  ],
  { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, AVEPOINT_CLIENT_SECRET: "demo-secret" } },
);

const banner = (url: string): string =>
  [
    "",
    "avepoint-exporter demo: the exporter on a simulated AvePoint fleet",
    `  Landing page  ${url}/`,
    `  Metrics       ${url}/metrics`,
    `  Simulator     ${simulator.url} (${CUSTOMERS} customers × ${PROFILES} profiles)`,
    `  Failures      ${failures.failedScans} failed scans; customer "${failures.failingCustomer.name}" refuses access (HTTP 403),`,
    "                so its collection fails",
    `  Ctrl+C stops; DEMO_PORT=<port> npm run demo uses another port.`,
    "",
    "",
  ].join("\n");

let listening = false;
let addressInUse = false;
/** The exporter's log, as it comes, but for Fastify's own duplicate of the exporter's listening line. */
const forward = (from: NodeJS.ReadableStream, to: NodeJS.WritableStream): void => {
  createInterface({ input: from, crlfDelay: Infinity }).on("line", (line) => {
    if (/msg="Server listening at /.test(line)) return;
    if (line.includes("EADDRINUSE")) addressInUse = true;
    to.write(`${line}\n`);
    const url = /msg="avepoint-exporter listening".* address=(\S+)/.exec(line)?.[1];
    if (url !== undefined && !listening) {
      listening = true;
      process.stdout.write(banner(url));
    }
  });
};
forward(exporter.stdout, process.stdout);
forward(exporter.stderr, process.stderr);

const shutdown = (): void => {
  exporter.kill("SIGTERM");
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
exporter.on("exit", (code) => {
  rmSync(storage, { recursive: true, force: true });
  void simulator.close().then(() => {
    if (listening) process.exit(code ?? 0);
    // Another process took the port between the check and the exporter's start.
    stop(addressInUse ? anotherPort(port) : `the exporter stopped before it listened (exit code ${code})`, 1);
  });
});
