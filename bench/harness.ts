/** Shared by the benchmark and the soak run: a simulator in its own process and an in-process exporter. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parseConfig, type ParsedArgs } from "../src/config/parse.js";
import { createExporter, type Exporter } from "../src/exporter.js";
import { setHeapGrowth } from "../src/heap.js";

/** The simulator package's command, found by the package's name and the `bin` its package.json gives. */
export const SIMULATOR_MAIN = ((): string => {
  const manifest = createRequire(import.meta.url).resolve("avepoint-simulator/package.json");
  const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> };
  return join(dirname(manifest), bin["avepoint-simulator"] ?? "");
})();

export interface SimulatorProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stats(): Promise<{ apiRequests: number; tokenRequests: number; maxInFlight: number }>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the simulator as a separate process, so that its CPU does not count as the exporter's. */
export const startSimulatorProcess = async (args: string[]): Promise<SimulatorProcess> => {
  // Fleets: the object lists behind the counts do not matter here (a caller may ask for full ones).
  const child = spawn(
    process.execPath,
    [SIMULATOR_MAIN, "--listen-address", "127.0.0.1:0", "--object-lists=light", ...args],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  // Never leave the simulator behind, even when the benchmark dies.
  process.once("exit", () => child.kill("SIGKILL"));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on("exit", (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
  });
  return {
    url,
    child,
    stats: async () =>
      (await (await fetch(`${url}/_sim/stats`)).json()) as Awaited<ReturnType<SimulatorProcess["stats"]>>,
    resetStats: async () => {
      await fetch(`${url}/_sim/stats/reset`, { method: "POST" });
    },
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
};

/**
 * An exporter for `url` (the simulator), as main.ts would build it (heap growth setting included),
 * without its own logs.
 */
export const exporterFor = (url: string, argv: string[]): Exporter => {
  const { config } = parseConfig(
    [
      `--avepoint.api-url=${url}`,
      `--avepoint.token-url=${url}/connect/token`,
      "--avepoint.client-id=demo-client",
      // The benchmarks measure collection from nothing: no kept state (bench/state.ts measures it).
      ...(argv.some((arg) => arg.startsWith("--storage.path")) ? [] : ["--storage.path="]),
      ...argv,
    ],
    { AVEPOINT_CLIENT_SECRET: "demo-secret" },
    () => "",
  ) as ParsedArgs;
  setHeapGrowth(config.runtime.heapGrowthPercent);
  return createExporter(config, { version: "bench" });
};
