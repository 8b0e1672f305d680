/** Shared by the benchmark and the soak run: a simulator in its own process and an in-process exporter. */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAvePointApi } from "../src/avepoint/index.js";
import { Scheduler } from "../src/collect/scheduler.js";
import type { Config } from "../src/config/config.js";
import { parseConfig, type ParsedArgs } from "../src/config/parse.js";
import { createSelfMetrics, type SelfMetrics } from "../src/metrics/self.js";

const here = dirname(fileURLToPath(import.meta.url));
export const SIMULATOR_MAIN = join(here, "../src/simulator/main.js");

export interface SimulatorProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stats(): Promise<{ apiRequests: number; tokenRequests: number; maxInFlight: number }>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the simulator as a separate process, so that its CPU does not count as the exporter's. */
export const startSimulatorProcess = async (args: string[]): Promise<SimulatorProcess> => {
  const child = spawn(process.execPath, [SIMULATOR_MAIN, "--listen-address", "127.0.0.1:0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
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

export interface BenchExporter {
  readonly config: Config;
  readonly scheduler: Scheduler;
  readonly self: SelfMetrics;
  close(): void;
}

export const exporterFor = (url: string, argv: string[]): BenchExporter => {
  const { config } = parseConfig(
    [
      `--avepoint.api-url=${url}`,
      `--avepoint.token-url=${url}/connect/token`,
      "--avepoint.client-id=demo-client",
      ...argv,
    ],
    { AVEPOINT_CLIENT_SECRET: "demo-secret" },
    () => "",
  ) as ParsedArgs;
  const self = createSelfMetrics("bench");
  const { api, transport } = createAvePointApi(config.avepoint, self.observer, "avepoint-exporter/bench");
  const scheduler = new Scheduler(api, {
    minIntervalSeconds: 0,
    maxStaleSeconds: config.collect.maxStaleSeconds,
    hooks: self.hooks,
  });
  return {
    config,
    scheduler,
    self,
    close: () => {
      scheduler.stop();
      transport.close();
    },
  };
};
