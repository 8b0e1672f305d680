/**
 * The end-to-end stack: the simulator and an exporter scraped as the static `job_name: avepoint`,
 * the hostile fleet and a second exporter scraped the way the Prometheus Operator scrapes a
 * ServiceMonitor (its job name, the Service name as `job`, namespace, service, pod and container
 * labels, and the `endpoint` target label dropped as prometheus/JOB-LABEL.md asks), and a real
 * Prometheus evaluating the shipped rules, made fast.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import type { Simulator } from "avepoint-simulator";
import { exporterFor, type TestExporter } from "../helpers/exporter.js";
import { startHostileFleet, type HostileUpstream } from "../hostile/fleet.js";
import { startPrometheus, type PrometheusServer } from "./prometheus-server.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The job and target labels the Operator gives the fleet exporter's series. */
export const OPERATOR_TARGET = {
  job: "avepoint-exporter",
  namespace: "monitoring",
  service: "avepoint-exporter",
  pod: "avepoint-exporter-0",
  container: "exporter",
} as const;

/**
 * The shipped rules, made fast: every alert's `for:` becomes 2s and the recording groups are
 * evaluated every second instead of every minute. The tests prove the expressions and labels
 * against real data; the `for:` durations themselves are proven by the promtool unit tests.
 */
export const fastRules = (file: string): string => {
  const doc = parse(readFileSync(file, "utf8")) as {
    groups: { interval?: string; rules: { for?: string }[] }[];
  };
  for (const group of doc.groups) {
    if (group.interval !== undefined) group.interval = "1s";
    for (const rule of group.rules) if (rule.for !== undefined) rule.for = "2s";
  }
  return stringify(doc);
};

/** What the Operator generates for endpoint 0 of ServiceMonitor monitoring/avepoint-exporter, minus discovery. */
const operatorScrapeConfig = (target: string, metricsPath: string) => ({
  job_name: `serviceMonitor/${OPERATOR_TARGET.namespace}/${OPERATOR_TARGET.service}/0`,
  metrics_path: metricsPath,
  static_configs: [{ targets: [target] }],
  relabel_configs: [
    ...Object.entries(OPERATOR_TARGET).map(([label, value]) => ({ target_label: label, replacement: value })),
    { target_label: "endpoint", replacement: "metrics" },
    // the ServiceMonitor's relabelings: the exporter's metrics have an endpoint label of their own,
    // and `instance` is the pod name (__meta_kubernetes_pod_name), stable across rescheduling
    { action: "labeldrop", regex: "endpoint" },
    { target_label: "instance", replacement: OPERATOR_TARGET.pod },
  ],
});

export interface Stack {
  readonly sim: Simulator;
  readonly exporter: TestExporter;
  readonly fleetExporter: TestExporter;
  readonly prometheus: PrometheusServer;
  /** Stops an exporter (its target goes down); close() skips what is stopped already. */
  stop(which: "exporter" | "fleetExporter"): Promise<void>;
  close(): Promise<void>;
}

const listen = async (exporter: TestExporter): Promise<string> => {
  await exporter.app.listen({ host: "127.0.0.1", port: 0 });
  return `127.0.0.1:${(exporter.app.server.address() as AddressInfo).port}`;
};

/**
 * Starts the stack on loopback ports; whatever started is closed again when a later step fails.
 * @param reportTime the daily report time of the hostile fleet's profiles
 */
export async function startStack(sim: Simulator, reportTime: string, binary: string): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "avepoint-e2e-"));
  const closers: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const stopped = new Set<string>();
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const exporter = await exporterFor(sim, ["--collect.timeout-offset=0.3s"]);
    closers.push(() => (stopped.has("exporter") ? Promise.resolve() : exporter.close()));
    const fleet: HostileUpstream = await startHostileFleet(reportTime);
    closers.push(() => fleet.close());
    const fleetExporter = await exporterFor(fleet, ["--collect.timeout-offset=0.3s"]);
    closers.push(() => (stopped.has("fleetExporter") ? Promise.resolve() : fleetExporter.close()));
    const [target, fleetTarget] = [await listen(exporter), await listen(fleetExporter)];

    mkdirSync(join(dir, "rules"));
    const ruleDir = join(root, "prometheus/rules");
    const ruleFiles = readdirSync(ruleDir).filter((name) => name.endsWith(".yml"));
    for (const name of ruleFiles) writeFileSync(join(dir, "rules", name), fastRules(join(ruleDir, name)));
    const config = stringify({
      // scrape_timeout may not exceed the interval; the exporter keeps 0.3 s of it back.
      global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
      rule_files: ruleFiles.map((name) => `rules/${name}`),
      scrape_configs: [
        {
          job_name: "avepoint",
          metrics_path: exporter.config.web.telemetryPath,
          static_configs: [{ targets: [target] }],
        },
        operatorScrapeConfig(fleetTarget, fleetExporter.config.web.telemetryPath),
      ],
    });
    const prometheus = await startPrometheus(binary, dir, config);
    closers.push(() => prometheus.stop());
    return {
      sim,
      exporter,
      fleetExporter,
      prometheus,
      stop: async (which) => {
        stopped.add(which);
        await (which === "exporter" ? exporter : fleetExporter).close();
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
