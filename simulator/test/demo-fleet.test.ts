import { afterEach, describe, expect, it } from "vitest";
import { prepareDemoFleet } from "../src/demo-fleet.js";
import { startSimulator, type Simulator } from "../src/server.js";

const FAILED = [3, 7];
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("the demo fleet", () => {
  it("has exactly three failed scans among the collectable customers and one customer refusing access", async () => {
    sim = await startSimulator({ port: 0, customers: 25, profilesPerCustomer: 4 });
    const before = sim.customers().flatMap((c) => sim!.profiles(c.id).map((p) => p.lastScanStatus));
    const failures = prepareDemoFleet(sim);
    const failing = sim.customers().at(-1)!;
    expect(failures.failingCustomer).toEqual({ id: failing.id, name: failing.organization });
    expect(sim.faults().failCustomers).toEqual({ [failing.id]: 403 });
    const others = sim.customers().filter((c) => c.id !== failing.id);
    const statuses = others.flatMap((c) => sim!.profiles(c.id).map((p) => p.lastScanStatus));
    expect(statuses.filter((s) => FAILED.includes(s))).toHaveLength(3);
    expect(failures.failedScans).toBe(3);
    // The rest of the generated variety stays: more states than finished and failed.
    expect(new Set(statuses).size).toBeGreaterThan(4);
    expect(statuses.length).toBe(before.length - 4);
  });

  it("refuses a fleet too small to show it", async () => {
    sim = await startSimulator({ port: 0, customers: 3, profilesPerCustomer: 1 });
    expect(() => prepareDemoFleet(sim!)).toThrow(/at least 4 customers/);
  });
});
