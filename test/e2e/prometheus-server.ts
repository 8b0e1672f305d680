/**
 * A real Prometheus server for end-to-end tests: started on a free loopback port with a generated
 * configuration and a throw-away TSDB directory, queried through its HTTP API, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";

export { onPath } from "../helpers/tools.js";

/** A loopback port that was free a moment ago (the kernel picks it; the listener is closed again). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface MatrixSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, string])[];
}

export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: "pending" | "firing" | "inactive";
  readonly value: string;
}

export interface ActiveTarget {
  readonly labels: Readonly<Record<string, string>>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly health: "up" | "down" | "unknown";
  readonly lastError: string;
}

export interface PrometheusServer {
  readonly url: string;
  /** Instant query at `time` (Unix seconds; now if not given); a scalar or string result is returned as one sample. */
  query(expr: string, time?: number): Promise<VectorSample[]>;
  /** Range query over the last `seconds`, one point per second. */
  queryRange(expr: string, seconds: number): Promise<MatrixSeries[]>;
  alerts(): Promise<ActiveAlert[]>;
  targets(): Promise<ActiveTarget[]>;
  /** The last lines Prometheus logged, for failure messages. */
  log(): string;
  /** SIGTERM, then waits for the process to exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

interface ApiAnswer<T> {
  status: "success" | "error";
  data: T;
  errorType?: string;
  error?: string;
}

const LOG_LINES = 200;

/**
 * Writes `config` to `dir/prometheus.yml` (rule files in it are relative to `dir`) and starts
 * Prometheus with its TSDB in `dir/data`; resolves once /-/ready answers 200.
 * @throws Error with Prometheus's log when it exits early or is not ready within 20 s.
 */
export async function startPrometheus(
  binary: string,
  dir: string,
  config: string,
): Promise<PrometheusServer> {
  const configFile = join(dir, "prometheus.yml");
  writeFileSync(configFile, config);
  // Another process may take the port between freePort() and Prometheus binding it: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(binary, dir, configFile, await freePort());
    } catch (error) {
      if (attempt >= 3 || !String(error).includes("address already in use")) throw error;
    }
  }
}

async function launch(
  binary: string,
  dir: string,
  configFile: string,
  port: number,
): Promise<PrometheusServer> {
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=info",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const { log, stop, ready } = watchDaemon("prometheus", child, LOG_LINES);
  await ready(url);

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5_000) });
    const answer = (await response.json()) as ApiAnswer<T>;
    if (answer.status !== "success") throw new Error(`${path}: ${answer.errorType}: ${answer.error}`);
    return answer.data;
  };

  // Whoever answered must be this Prometheus, not another server that took the port.
  const flags = await api<Record<string, string>>("/api/v1/status/flags");
  if (flags["storage.tsdb.path"] !== join(dir, "data") || child.exitCode !== null) {
    await stop();
    throw new Error(`another server answers on ${url} (address already in use):\n${log()}`);
  }

  return {
    url,
    query: async (expr, time) => {
      const at = time === undefined ? "" : `&time=${time}`;
      const data = await api<{ resultType: string; result: unknown }>(
        `/api/v1/query?query=${encodeURIComponent(expr)}${at}`,
      );
      if (data.resultType === "vector") return data.result as VectorSample[];
      return [{ metric: {}, value: data.result as [number, string] }];
    },
    queryRange: async (expr, seconds) => {
      const end = Date.now() / 1000;
      const data = await api<{ result: MatrixSeries[] }>(
        `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${end - seconds}&end=${end}&step=1`,
      );
      return data.result;
    },
    alerts: async () => (await api<{ alerts: ActiveAlert[] }>("/api/v1/alerts")).alerts,
    targets: async () => (await api<{ activeTargets: ActiveTarget[] }>("/api/v1/targets")).activeTargets,
    log,
    stop,
  };
}
import { watchDaemon } from "./daemon.js";
