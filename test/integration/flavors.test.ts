import { describe, expect, it } from "vitest";
import type { SimFlavor } from "avepoint-simulator";
import { series, value } from "../helpers/exposition.js";
import { testExporter, testSimulator } from "../helpers/exporter.js";

const run = async (
  flavor: SimFlavor,
  customers: number,
  profiles: number,
  argv: string[] = [],
  extra = {},
) => {
  const simulator = await testSimulator({
    flavor,
    customers,
    profilesPerCustomer: profiles,
    seed: 11,
    ...extra,
  });
  const exporter = await testExporter(simulator, [`--avepoint.api-flavor=${flavor}`, ...argv]);
  return { simulator, exporter };
};

/** The collected series, without the exporter's own traffic metrics and collection times. */
const collected = (text: string): string =>
  text
    .split("\n")
    .filter((l) =>
      /^avepoint_(scan_profile|customer_(info|job_status|scan_profiles|collect_success))/.test(l),
    )
    .sort()
    .join("\n");

describe("every API flavor", () => {
  it("gives identical metrics for identical simulated data (v3, modern, v3-batch)", async () => {
    const outputs: string[] = [];
    for (const flavor of ["v3", "modern", "v3-batch"] as const) {
      const { exporter } = await run(flavor, 130, 3);
      const { text, samples } = await exporter.scrape();
      expect(value(samples, "avepoint_up")).toBe(1);
      expect(series(samples, "avepoint_scan_profile_info")).toHaveLength(390);
      // The modern customer list has no managementMode field (avepoint-api §5.2): that label is empty there.
      outputs.push(collected(text).replace(/management_mode="[a-z_]*"/g, 'management_mode=""'));
    }
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
  });

  it.each<[SimFlavor, (c: number, p: number) => number]>([
    ["v3", (c) => Math.ceil(c / 100) + c],
    ["modern", (c, p) => Math.ceil(c / 100) + c + c * p],
    ["v3-batch", (c, p) => Math.ceil(c / 100) + c + c * p],
  ])("%s makes the requests of its plan", async (flavor, plan) => {
    const { simulator, exporter } = await run(flavor, 210, 2);
    simulator.resetStats();
    await exporter.scrape();
    expect(simulator.stats().apiRequests).toBe(plan(210, 2));
    simulator.resetStats();
    await exporter.scrape();
    expect(simulator.stats().apiRequests).toBe(plan(210, 2));
  });

  it.each<["legacy" | "summary"]>([["legacy"], ["summary"]])(
    "modern finds the daily endpoint when only the %s spelling exists, and remembers it",
    async (routes) => {
      const { simulator, exporter } = await run("modern", 5, 2, [], { modernDailyRoutes: routes });
      const first = await exporter.scrape();
      expect(series(first.samples, "avepoint_customer_collect_success").every((s) => s.value === 1)).toBe(
        true,
      );
      simulator.resetStats();
      await exporter.scrape();
      expect(simulator.stats().apiRequests).toBe(1 + 5 + 10);
    },
  );

  it("modern can be forced to one daily spelling", async () => {
    const { exporter } = await run("modern", 3, 1, ["--avepoint.modern-daily-route=summary"], {
      modernDailyRoutes: "legacy",
    });
    const { samples } = await exporter.scrape();
    expect(series(samples, "avepoint_customer_collect_success").every((s) => s.value === 0)).toBe(true);
  });

  it("skips the rows of a v3 profile list that lack their ID, keeps the customer and counts them", async () => {
    const { simulator, exporter } = await run("v3", 6, 2);
    const bad = simulator.customers()[2]!;
    simulator.setFaults({ failCustomers: { [bad.id]: "missing-field" } });
    const { samples } = await exporter.scrape();
    for (const c of simulator.customers())
      expect(value(samples, "avepoint_customer_collect_success", { customer_id: c.id })).toBe(1);
    const kept = series(samples, "avepoint_scan_profile_info", { customer_id: bad.id }).length;
    expect(kept).toBeLessThan(2);
    expect(series(samples, "avepoint_scan_profile_info")).toHaveLength(10 + kept);
    // Every endpoint has a series from 0: the rows were skipped on one of them.
    const skipped = series(samples, "avepoint_api_parse_errors_total", { reason: "record" });
    expect(skipped.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(1);
  });

  it.each<["badjson" | "missing-field", SimFlavor]>([
    ["badjson", "v3"],
    ["badjson", "modern"],
    ["missing-field", "v3-batch"],
  ])(
    "a %s answer for one customer (%s) fails only that customer and counts a parse error",
    async (fault, flavor) => {
      const { simulator, exporter } = await run(flavor, 6, 2);
      const bad = simulator.customers()[2]!;
      simulator.setFaults({ failCustomers: { [bad.id]: fault } });
      const { samples } = await exporter.scrape();
      expect(value(samples, "avepoint_up")).toBe(1);
      for (const c of simulator.customers())
        expect(value(samples, "avepoint_customer_collect_success", { customer_id: c.id })).toBe(
          c.id === bad.id ? 0 : 1,
        );
      expect(series(samples, "avepoint_scan_profile_info")).toHaveLength(10);
      const parseErrors = series(samples, "avepoint_api_parse_errors_total").reduce(
        (sum, s) => sum + s.value,
        0,
      );
      expect(parseErrors).toBeGreaterThanOrEqual(1);
      expect(
        value(samples, "avepoint_customer_collect_errors_total", { customer_id: bad.id, reason: "parse" }),
      ).toBe(1);
    },
  );
});
