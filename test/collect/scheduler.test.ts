import { describe, expect, it } from "vitest";
import type { PartnerApi } from "../../src/avepoint/index.js";
import { Scheduler } from "../../src/collect/scheduler.js";

/** A partner API with one customer and no profiles, whose listing takes `delayMs`. */
const api = (delays: number[]): PartnerApi & { calls: number } => {
  const fake = {
    flavor: "v3" as const,
    calls: 0,
    listCustomers: async (_ctx: unknown, onPage: (c: never[]) => void) => {
      const delay = delays[fake.calls++] ?? 0;
      await new Promise((r) => setTimeout(r, delay));
      onPage([]);
    },
    listProfiles: async () => [],
    profileDaily: async () => {
      throw new Error("not used");
    },
  };
  return fake as unknown as PartnerApi & { calls: number };
};

describe("the scheduler", () => {
  it("answers a scrape that joins a slow collection with the last view at its own deadline", async () => {
    const scheduler = new Scheduler(api([0, 400]), { minIntervalSeconds: 0, maxStaleSeconds: 3600 });
    const first = await scheduler.get(Date.now() + 5000);
    const slow = scheduler.get(Date.now() + 5000);
    const started = Date.now();
    const joined = await scheduler.get(Date.now() + 100);
    expect(Date.now() - started).toBeLessThan(350);
    expect(joined).toBe(first);
    expect(await slow).not.toBe(first);
  });

  it("serves from the last collection within min-interval", async () => {
    const fake = api([0, 0]);
    const scheduler = new Scheduler(fake, { minIntervalSeconds: 60, maxStaleSeconds: 3600 });
    const first = await scheduler.get(Date.now() + 1000);
    expect(await scheduler.get(Date.now() + 1000)).toBe(first);
    expect(fake.calls).toBe(1);
  });
});
