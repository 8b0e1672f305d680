/**
 * `npm run demo`: the simulator and the exporter wired to it, on loopback. Prints the URL to open.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator } from "./server.js";

const here = dirname(fileURLToPath(import.meta.url));
const exporterPort = Number(process.env.DEMO_PORT ?? 10123);

const simulator = await startSimulator({
  port: 0,
  customers: 25,
  profilesPerCustomer: 4,
  faults: { latencyMs: 20, latencyJitterMs: 30 },
});
// The demo's own kept state: each demo's simulator is a new partner (new port, new data), so a shared
// directory would only ever hold a state written for another one.
const storage = mkdtempSync(join(tmpdir(), "avepoint-demo-state-"));
const exporter = spawn(
  process.execPath,
  [
    join(here, "../../src/main.js"),
    `--web.listen-address=127.0.0.1:${exporterPort}`,
    `--avepoint.api-url=${simulator.apiUrl}`,
    `--avepoint.token-url=${simulator.tokenUrl}`,
    "--avepoint.client-id=demo-client",
    `--storage.path=${storage}`,
  ],
  { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, AVEPOINT_CLIENT_SECRET: "demo-secret" } },
);

process.stdout.write(
  `\nAvePoint simulator: ${simulator.url} (25 customers × 4 profiles)\n` +
    `Exporter:           http://127.0.0.1:${exporterPort}/  — metrics at http://127.0.0.1:${exporterPort}/metrics\n` +
    `Press Ctrl+C to stop.\n\n`,
);

const stop = (): void => {
  exporter.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
exporter.on("exit", (code) => {
  rmSync(storage, { recursive: true, force: true });
  void simulator.close().then(() => process.exit(code ?? 0));
});
