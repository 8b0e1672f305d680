/**
 * The exporter's own counters: every known label value (reasons, endpoints, results) starts at 0, so
 * that rate() and increase() see the first event; nothing is made per customer in advance.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { apiEndpoints, RETRY_REASONS } from "../../src/avepoint/index.js";
import { SCAN_STATUS_NAMES } from "../../src/avepoint/types.js";
import type { CustomerResult } from "../../src/collect/view.js";
import type { ApiFlavor } from "../../src/config/config.js";
import { FAILURE_REASONS, PARSE_PROBLEMS, type FailureReason } from "../../src/errors.js";
import { METRICS } from "../../src/metrics/names.js";
import { createSelfMetrics } from "../../src/metrics/self.js";
import { startSimulator, type Simulator } from "avepoint-simulator";
import { exporterFor, type TestExporter } from "../helpers/exporter.js";
import { parseExposition, series, type Sample } from "../helpers/exposition.js";
import { checkMetrics, promtoolMissing, promtoolNote } from "../helpers/promtool.js";

const ENDPOINTS = apiEndpoints({ flavor: "v3", modernDailyRoute: "auto" });

const samplesOf = async (self: ReturnType<typeof createSelfMetrics>): Promise<Sample[]> =>
  parseExposition(await self.registry.metrics());

const labelSet = (samples: Sample[], name: string, label: string): string[] =>
  series(samples, name)
    .map((s) => s.labels[label] ?? "")
    .sort();

const failure = (id: string, reason: FailureReason): CustomerResult =>
  ({ ok: false, customer: { id }, reason, message: "failed" }) as unknown as CustomerResult;

describe("counters with a known label set", () => {
  it("start at 0 for every reason, endpoint and result", async () => {
    const samples = await samplesOf(
      createSelfMetrics("test", { defaultMetrics: false, endpoints: ENDPOINTS }),
    );
    const zeros = (name: string) => series(samples, name).filter((s) => s.value === 0);

    expect(labelSet(samples, METRICS.collectErrors.name, "reason")).toEqual([...FAILURE_REASONS].sort());
    expect(labelSet(samples, METRICS.collectErrors.name, "reason")).toContain("tls");
    expect(labelSet(samples, METRICS.apiThrottled.name, "endpoint")).toEqual([...ENDPOINTS, "token"].sort());
    const retries = series(samples, METRICS.apiRetries.name).map(
      (s) => `${s.labels.endpoint} ${s.labels.reason}`,
    );
    for (const endpoint of ENDPOINTS)
      for (const reason of RETRY_REASONS) expect(retries).toContain(`${endpoint} ${reason}`);
    // A new token is the answer to a 401 from the API, never a retry of the token request.
    expect(retries.filter((r) => r.startsWith("token "))).toEqual(
      RETRY_REASONS.filter((r) => r !== "401").map((r) => `token ${r}`),
    );
    const parse = series(samples, METRICS.apiParseErrors.name).map(
      (s) => `${s.labels.endpoint} ${s.labels.reason}`,
    );
    expect(parse).toHaveLength(ENDPOINTS.length * PARSE_PROBLEMS.length);
    expect(labelSet(samples, METRICS.tokenRequests.name, "result")).toEqual(["failure", "success"]);
    expect(labelSet(samples, METRICS.roundsTotal.name, "result")).toEqual([
      "complete",
      "cut",
      "halted",
      "listing_failed",
    ]);
    for (const key of [
      "collectErrors",
      "apiThrottled",
      "apiRetries",
      "apiParseErrors",
      "tokenRequests",
      "roundsTotal",
    ] as const)
      expect(zeros(METRICS[key].name)).toEqual(series(samples, METRICS[key].name));
  });

  it("make no series per customer before a failure", async () => {
    const samples = await samplesOf(
      createSelfMetrics("test", { defaultMetrics: false, endpoints: ENDPOINTS }),
    );
    expect(series(samples, METRICS.customerErrors.name)).toEqual([]);
  });

  it("count a customer's failure per customer and for the fleet; the fleet's count stays when the customer goes", async () => {
    const self = createSelfMetrics("test", { defaultMetrics: false, endpoints: ENDPOINTS });
    self.rounds.customerDone?.(failure("c1", "network"));
    self.rounds.customerDone?.(failure("c2", "network"));
    self.rounds.customerDone?.(failure("c2", "tls"));
    let samples = await samplesOf(self);
    expect(series(samples, METRICS.collectErrors.name, { reason: "network" })[0]?.value).toBe(2);
    expect(series(samples, METRICS.collectErrors.name, { reason: "tls" })[0]?.value).toBe(1);
    expect(series(samples, METRICS.collectErrors.name, { reason: "auth" })[0]?.value).toBe(0);
    expect(series(samples, METRICS.customerErrors.name, { customer_id: "c2" })).toHaveLength(2);
    self.rounds.customersGone?.(["c2"]);
    samples = await samplesOf(self);
    expect(series(samples, METRICS.customerErrors.name, { customer_id: "c2" })).toEqual([]);
    expect(series(samples, METRICS.collectErrors.name, { reason: "network" })[0]?.value).toBe(2);
  });

  it.skipIf(promtoolMissing)(`pass promtool check metrics${promtoolNote}`, async () => {
    const self = createSelfMetrics("test", {
      endpoints: apiEndpoints({ flavor: "modern", modernDailyRoute: "auto" }),
    });
    self.rounds.customerDone?.(failure("c1", "parse"));
    const result = await checkMetrics(await self.registry.metrics());
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });
});

describe.each<[ApiFlavor, string[]]>([
  ["v3", []],
  ["v3-batch", []],
  ["modern", ["--avepoint.modern-daily-route=auto"]],
])("the endpoints of flavor %s", (flavor, argv) => {
  let sim: Simulator | undefined;
  let exporter: TestExporter | undefined;
  afterEach(async () => {
    await exporter?.close();
    await sim?.close();
  });

  it("are every endpoint its collection calls, each from 0", async () => {
    sim = await startSimulator({ flavor, customers: 3, profilesPerCustomer: 2, seed: 5 });
    exporter = await exporterFor(sim, [`--avepoint.api-flavor=${flavor}`, ...argv]);
    const before = (await exporter.scrape()).samples;
    // The first scrape starts a round; the next one after it sees every endpoint it called.
    await exporter.rounds.idle();
    const { samples } = await exporter.scrape();
    const known = apiEndpoints(exporter.config.avepoint);
    const called = new Set(series(samples, METRICS.apiRequests.name).map((s) => s.labels.endpoint ?? ""));
    expect(called.size).toBeGreaterThan(1);
    for (const endpoint of called) expect([...known, "token"]).toContain(endpoint);
    expect(labelSet(before, METRICS.apiThrottled.name, "endpoint")).toEqual([...known, "token"].sort());
  });
});

describe("HELP", () => {
  const docs = readFileSync(join(import.meta.dirname, "../../docs/metrics.md"), "utf8");

  it.each(Object.entries(METRICS))(
    "of %s is one short line, and docs/metrics.md explains the metric",
    (_key, metric) => {
      expect(metric.help.length).toBeLessThan(200);
      expect(metric.help).not.toContain("\n");
      expect(docs).toContain(`\`${metric.name}\``);
    },
  );

  it("docs/metrics.md names every scan status code", () => {
    for (const [code, name] of Object.entries(SCAN_STATUS_NAMES))
      expect(docs).toMatch(new RegExp(`\\| ${code} +\\| \`${name}\` +\\|`));
  });

  it("docs/metrics.md names every reason and every parse problem", () => {
    for (const reason of [...FAILURE_REASONS, ...PARSE_PROBLEMS, ...RETRY_REASONS])
      expect(docs).toContain(`\`${reason}\``);
  });
});
