/**
 * What reaches the people on call, end to end: the simulator, an exporter, a real Prometheus with
 * the shipped rules (timings shortened) sending to a real Alertmanager with the shipped
 * alertmanager/alertmanager.yml (receivers pointed at a webhook receiver inside the test, timings
 * shortened). The exporter's address stays the same across `restartExporter`, so its alerts keep
 * their labels, as a pod's do with the ServiceMonitor's `instance` relabeling.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import type { Simulator } from "avepoint-simulator";
import { exporterFor, type TestExporter } from "../helpers/exporter.js";
import {
  startAlertmanager,
  startWebhookReceiver,
  type AlertmanagerServer,
  type WebhookReceiver,
} from "./alertmanager-server.js";
import { startPrometheus, type PrometheusServer } from "./prometheus-server.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Shortened rule timings: every `for:` and every `keep_firing_for:`, and group intervals. */
export const RULE_TIMINGS = { for: "4s", keepFiringFor: "5s", groupInterval: "1s" } as const;

interface RuleFile {
  groups: { interval?: string; rules: { for?: string; keep_firing_for?: string }[] }[];
}

const fastRules = (file: string, keepFiringFor: string): string => {
  const doc = parse(readFileSync(file, "utf8")) as RuleFile;
  for (const group of doc.groups) {
    if (group.interval !== undefined) group.interval = RULE_TIMINGS.groupInterval;
    for (const rule of group.rules) {
      if (rule.for !== undefined) rule.for = RULE_TIMINGS.for;
      if (rule.keep_firing_for !== undefined) rule.keep_firing_for = keepFiringFor;
    }
  }
  return stringify(doc);
};

interface Route {
  receiver?: string;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}

/**
 * The shipped Alertmanager config with its receivers replaced by webhooks to `receiver` (path
 * /<receiver name>) and its timings shortened; routes, grouping and inhibition stay as shipped.
 */
export const testAlertmanagerConfig = (receiver: WebhookReceiver): string => {
  const doc = parse(readFileSync(join(root, "alertmanager/alertmanager.yml"), "utf8")) as {
    route: Route;
    receivers: { name: string }[];
  };
  doc.receivers = doc.receivers.map(({ name }) =>
    name === "null"
      ? { name }
      : { name, webhook_configs: [{ url: receiver.url(`/${name}`), send_resolved: true }] },
  );
  const shorten = (route: Route, top: boolean): void => {
    if (top || route.group_wait !== undefined) route.group_wait = "1s";
    if (top || route.group_interval !== undefined) route.group_interval = "2s";
    if (top || route.repeat_interval !== undefined) route.repeat_interval = "1h";
    for (const child of route.routes ?? []) shorten(child, false);
  };
  shorten(doc.route, true);
  return stringify(doc);
};

export interface AlertingStack {
  readonly sim: Simulator;
  readonly exporter: TestExporter;
  readonly prometheus: PrometheusServer;
  readonly alertmanager: AlertmanagerServer;
  readonly receiver: WebhookReceiver;
  /** host:port of the exporter, the `instance` of its alerts. */
  readonly target: string;
  /**
   * Stops the exporter (as on SIGTERM: the kept state, if any, is saved), waits `downtimeMs`, and
   * starts a new one on the same address, with `argv` added to the stack's exporter arguments.
   */
  restartExporter(argv?: readonly string[], downtimeMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Concurrency 1: four customers in progress at once (parallelism is four times the concurrency), so
 * that the circuit breaker's ten consecutive failures leave customers of the 20 not attempted.
 */
const EXPORTER_ARGS = ["--collect.timeout-offset=0.3s", "--avepoint.concurrency=1"];

export interface AlertingStackOptions {
  /** Added to the first exporter's arguments (not to a restarted one's: give those to restartExporter). */
  readonly exporterArgs?: readonly string[];
  /** Every `keep_firing_for:` of the rules; default RULE_TIMINGS.keepFiringFor. */
  readonly keepFiringFor?: string;
}

export async function startAlertingStack(
  sim: Simulator,
  binaries: { prometheus: string; alertmanager: string },
  options: AlertingStackOptions = {},
): Promise<AlertingStack> {
  const dir = mkdtempSync(join(tmpdir(), "avepoint-alerting-"));
  const closers: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    let exporter = await exporterFor(sim, [...EXPORTER_ARGS, ...(options.exporterArgs ?? [])]);
    closers.push(() => exporter.close());
    await exporter.app.listen({ host: "127.0.0.1", port: 0 });
    const port = (exporter.app.server.address() as AddressInfo).port;
    const target = `127.0.0.1:${port}`;

    const receiver = await startWebhookReceiver();
    closers.push(() => receiver.close());
    mkdirSync(join(dir, "am"));
    cpSync(join(root, "alertmanager/templates"), join(dir, "am/templates"), { recursive: true });
    writeFileSync(join(dir, "am/alertmanager.yml"), testAlertmanagerConfig(receiver));
    const alertmanager = await startAlertmanager(
      binaries.alertmanager,
      join(dir, "am/alertmanager.yml"),
      join(dir, "am/data"),
    );
    closers.push(() => alertmanager.stop());

    mkdirSync(join(dir, "rules"));
    const ruleDir = join(root, "prometheus/rules");
    const ruleFiles = readdirSync(ruleDir).filter((name) => name.endsWith(".yml"));
    for (const name of ruleFiles)
      writeFileSync(
        join(dir, "rules", name),
        fastRules(join(ruleDir, name), options.keepFiringFor ?? RULE_TIMINGS.keepFiringFor),
      );
    const prometheus = await startPrometheus(
      binaries.prometheus,
      dir,
      stringify({
        global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
        rule_files: ruleFiles.map((name) => `rules/${name}`),
        alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanager.address] }] }] },
        scrape_configs: [
          {
            job_name: "avepoint",
            metrics_path: exporter.config.web.telemetryPath,
            static_configs: [{ targets: [target] }],
          },
        ],
      }),
    );
    closers.push(() => prometheus.stop());
    const stack: AlertingStack = {
      sim,
      get exporter() {
        return exporter;
      },
      prometheus,
      alertmanager,
      receiver,
      target,
      restartExporter: async (argv = [], downtimeMs = 0) => {
        await exporter.close();
        if (downtimeMs > 0) await sleep(downtimeMs);
        exporter = await exporterFor(sim, [...EXPORTER_ARGS, ...argv]);
        await exporter.app.listen({ host: "127.0.0.1", port });
      },
      close,
    };
    return stack;
  } catch (error) {
    await close();
    throw error;
  }
}
