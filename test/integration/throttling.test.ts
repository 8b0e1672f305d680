/** Throttling against the simulator: 429s waited out, absurd Retry-After capped, the unpublished limit found. */
import { describe, expect, it } from "vitest";
import { SIM_FLAVORS } from "avepoint-simulator";
import { testExporter, testSimulator } from "../helpers/exporter.js";
import type { Sample } from "../helpers/exposition.js";

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}): number =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

const successes = (samples: Sample[]) =>
  samples.filter((s) => s.name === "avepoint_customer_collect_success" && s.value === 1).length;

describe("throttling", () => {
  // Each flavor has its own simulator and exporter, and spends its time in Retry-After pauses.
  it.concurrent.each(SIM_FLAVORS)(
    "%s: a burst of 429s on the first customers page, more than --avepoint.max-retries, loses no customer",
    async (flavor) => {
      const sim = await testSimulator({
        flavor,
        customers: 30,
        profilesPerCustomer: 2,
        faults: { customersThrottleBurst: 4, retryAfter: "1" },
      });
      const exporter = await testExporter(sim, [
        `--avepoint.api-flavor=${flavor}`,
        "--avepoint.max-retries=1",
      ]);
      await exporter.scrape();
      await exporter.rounds.idle();
      const { samples } = await exporter.scrape();
      expect(value(samples, "avepoint_up")).toBe(1);
      expect(successes(samples)).toBe(30);
      expect(value(samples, "avepoint_api_throttled_requests_total")).toBe(4);
      // Four pauses of one second, one after the other: wall-clock time, not a sum over requests.
      expect(value(samples, "avepoint_api_throttled_seconds_total")).toBeGreaterThanOrEqual(3.9);
      expect(value(samples, "avepoint_api_throttled_seconds_total")).toBeLessThan(6);
      expect(sim.stats().throttled).toBe(4);
    },
  );

  it.each([
    ["seconds", "999999999"],
    ["an HTTP date in 9999", "Fri, 31 Dec 9999 23:59:59 GMT"],
  ])(
    "a Retry-After of %s is cut to --avepoint.max-retry-after, then collection goes on",
    async (_what, header) => {
      const sim = await testSimulator({
        customers: 10,
        profilesPerCustomer: 1,
        faults: { customersThrottleBurst: 1, retryAfter: header },
      });
      const exporter = await testExporter(sim, ["--avepoint.max-retry-after=1s"]);
      await exporter.scrape();
      await exporter.rounds.idle();
      const { samples } = await exporter.scrape();
      expect(value(samples, "avepoint_up")).toBe(1);
      expect(successes(samples)).toBe(10);
      expect(value(samples, "avepoint_api_throttled_seconds_total")).toBeLessThan(2);
      expect(exporter.logs.filter((l) => l.includes("Retry-After beyond"))).toHaveLength(1);
    },
  );

  // How fast the learned rate serves is a figure of `npm run bench` (throttled scenario); here, what
  // the adaptation decides: it comes down from the ceiling and then keeps the refusals rare.
  it("finds an unpublished limit R from a ceiling of 5R: in the second round ≤ 2 % refused, the rate below 2R", async () => {
    const R = 200;
    const sim = await testSimulator({
      flavor: "v3-batch",
      customers: 400,
      profilesPerCustomer: 2,
      faults: { rateLimit: R, latencyMs: 2 },
    });
    const exporter = await testExporter(sim, [
      "--avepoint.api-flavor=v3-batch",
      `--avepoint.rate-limit=${5 * R}`,
      "--avepoint.adaptive-rate=true",
      "--avepoint.concurrency=8",
    ]);
    await exporter.scrape();
    await exporter.rounds.idle();
    sim.resetStats();
    await exporter.scrape();
    await exporter.rounds.idle();
    const stats = sim.stats();
    const { samples } = await exporter.scrape();
    expect(successes(samples)).toBe(400);
    expect(stats.apiRequests).toBeGreaterThanOrEqual(1200);
    const refused = stats.throttled / stats.apiRequests;
    expect(refused).toBeLessThanOrEqual(0.02);
    expect(value(samples, "avepoint_api_rate_limit_ceiling_requests_per_second")).toBe(5 * R);
    expect(value(samples, "avepoint_api_rate_limit_requests_per_second")).toBeLessThan(2 * R);
  }, 120_000);
});
