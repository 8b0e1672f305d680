/** A live scrape of the exporter against the simulator, with faults: valid for promtool, every family grouped. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderView } from "../../src/metrics/render.js";
import { createSelfMetrics } from "../../src/metrics/self.js";
import { AWKWARD_PROFILES } from "avepoint-simulator";
import { startSimulator, type Simulator } from "avepoint-simulator";
import { exporterFor, type TestExporter } from "../helpers/exporter.js";
import { series, value } from "../helpers/exposition.js";
import {
  checkMetrics,
  expectGrouped,
  promtoolMissing,
  promtoolNote,
  promtoolRequired,
} from "../helpers/promtool.js";

describe("a live scrape", () => {
  let sim: Simulator;
  let exporter: TestExporter;

  beforeAll(async () => {
    // 10 × 3 profiles include each of the simulator's awkward profile names.
    sim = await startSimulator({ customers: 10, profilesPerCustomer: 3, seed: 3 });
    exporter = await exporterFor(sim);
  });
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  it.skipIf(promtoolMissing)(
    `passes promtool check metrics, with faults and default metrics${promtoolNote}`,
    async () => {
      expect((await exporter.scrape()).status).toBe(200);
      // Retries, a customer collection error and parse errors, so that every family has samples; the
      // broken customer owns one of the awkward names and keeps it as a last known value.
      const broken = sim.customers()[4]!;
      sim.setFaults({ throttleBurst: 2, retryAfter: "0", failCustomers: { [broken.id]: "badjson" } });
      const { status, text, samples } = await exporter.scrape();
      expect(status).toBe(200);
      for (const name of [
        "avepoint_customer_collect_errors_total",
        "avepoint_api_retries_total",
        "avepoint_api_parse_errors_total",
      ])
        expect(series(samples, name).length, name).toBeGreaterThan(0);
      expect(value(samples, "avepoint_customer_collect_success", { customer_id: broken.id })).toBe(0);
      const names = series(samples, "avepoint_scan_profile_info").map((s) => s.labels.profile_name);
      expect(names).toHaveLength(30);
      expect(names).toEqual(expect.arrayContaining([...AWKWARD_PROFILES]));

      expectGrouped(text);
      const served = await checkMetrics(text);
      expect(served.output).toBe("");
      expect(served.code).toBe(0);

      // As main.ts serves it: prom-client's default process and Node.js metrics included.
      const full = renderView(exporter.rounds.view()) + (await createSelfMetrics("test").registry.metrics());
      expect(full).toContain("process_cpu_user_seconds_total");
      expectGrouped(full);
      const withDefaults = await checkMetrics(full);
      expect(withDefaults.output).toBe("");
      expect(withDefaults.code).toBe(0);
    },
  );

  it("promtool is on PATH wherever REQUIRE_PROMETHEUS=1 asks for it", () => {
    if (promtoolRequired)
      expect(
        promtoolMissing,
        "REQUIRE_PROMETHEUS=1 but promtool is not on PATH (apt-get install prometheus)",
      ).toBe(false);
  });
});
