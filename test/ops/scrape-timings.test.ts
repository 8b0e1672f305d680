/**
 * One recommendation for the scrape interval and timeout, given alike by the README's scrape config,
 * prometheus/prometheus.yml, the ServiceMonitor and docs/rounds.md, and consistent with the exporter's
 * own assumptions (--collect.default-timeout) and the StatefulSet's --collect.min-interval.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { parseDurationSeconds } from "../../src/config/duration.js";
import { SETTINGS } from "../../src/config/settings.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), "utf8");
const seconds = (text: unknown): number => {
  const value = parseDurationSeconds(String(text));
  if (value === null) throw new Error(`not a duration: ${String(text)}`);
  return value;
};

interface Timings {
  readonly interval: number;
  readonly timeout: number;
}
interface ScrapeConfig {
  job_name: string;
  scrape_interval: string;
  scrape_timeout: string;
}

/** The README's scrape config: the YAML block under "## Scrape it". */
const readme = (): Timings => {
  const section = read("README.md").split(/^## Scrape it$/m)[1] ?? "";
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const job = (parse(block) as { scrape_configs: ScrapeConfig[] }).scrape_configs[0]!;
  return { interval: seconds(job.scrape_interval), timeout: seconds(job.scrape_timeout) };
};

const prometheus = (): Timings => {
  const config = parse(read("prometheus/prometheus.yml")) as { scrape_configs: ScrapeConfig[] };
  const job = config.scrape_configs.find((scrape) => scrape.job_name === "avepoint")!;
  return { interval: seconds(job.scrape_interval), timeout: seconds(job.scrape_timeout) };
};

const serviceMonitor = (): Timings => {
  const monitor = parse(read("deploy/kubernetes/servicemonitor.yaml")) as {
    spec: { endpoints: { interval: string; scrapeTimeout: string }[] };
  };
  const endpoint = monitor.spec.endpoints[0]!;
  return { interval: seconds(endpoint.interval), timeout: seconds(endpoint.scrapeTimeout) };
};

/** docs/rounds.md states the recommendation in one sentence. */
const rounds = (): Timings => {
  const match = /`scrape_interval: (\w+)`, `scrape_timeout: (\w+)`/.exec(read("docs/rounds.md"));
  return { interval: seconds(match?.[1]), timeout: seconds(match?.[2]) };
};

describe("the recommended scrape interval and timeout", () => {
  const expected = readme();

  it("is a timeout below the interval", () => {
    expect(expected.timeout).toBeGreaterThan(0);
    expect(expected.timeout).toBeLessThan(expected.interval);
  });

  it.each([
    ["prometheus/prometheus.yml", prometheus],
    ["deploy/kubernetes/servicemonitor.yaml", serviceMonitor],
    ["docs/rounds.md", rounds],
  ])("is the same in %s as in the README", (_file, timings) => {
    expect(timings()).toEqual(expected);
  });

  it("is the timeout the exporter assumes when Prometheus sends none (--collect.default-timeout)", () => {
    const declared = SETTINGS.find((s) => s.flag === "collect.default-timeout");
    expect(seconds(declared?.default)).toBe(expected.timeout);
  });

  it("lets an HA pair share rounds: the StatefulSet's --collect.min-interval is below the interval", () => {
    const [statefulSet] = parseAllDocuments(read("deploy/kubernetes/statefulset.yaml")).map(
      (doc) => doc.toJS() as { spec: { template: { spec: { containers: { args: string[] }[] } } } },
    );
    const args = statefulSet!.spec.template.spec.containers[0]!.args;
    const minInterval = args.find((arg) => arg.startsWith("--collect.min-interval="))?.split("=")[1];
    expect(seconds(minInterval)).toBeGreaterThan(expected.interval / 2);
    expect(seconds(minInterval)).toBeLessThan(expected.interval);
  });
});
