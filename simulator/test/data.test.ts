import { describe, expect, it } from "vitest";
import { generateData, isoSeconds } from "../src/data.js";
import { createRng, hashSeed } from "../src/random.js";

const ANCHOR = Date.UTC(2025, 8, 11);
const gen = (seed: number, customers = 20, profilesPerCustomer = 3, incompleteRowRate = 0) =>
  generateData({ seed, customers, profilesPerCustomer, incompleteRowRate, anchorMs: ANCHOR });

describe("random", () => {
  it("repeats its sequence for a seed and makes version-4 GUIDs", () => {
    const a = createRng(7);
    const b = createRng(7);
    expect(Array.from({ length: 5 }, () => a.u32())).toEqual(Array.from({ length: 5 }, () => b.u32()));
    const guid = createRng(1).guid();
    expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(hashSeed(1, "data")).not.toBe(hashSeed(1, "faults"));
  });
});

describe("data generator", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    expect(gen(5)).toEqual(gen(5));
    expect(gen(5).customers[0]!.id).not.toBe(gen(6).customers[0]!.id);
  });

  it("does not let the incomplete-row rate change any value", () => {
    const full = gen(3, 30, 4, 0);
    const partial = gen(3, 30, 4, 0.5);
    expect(partial.customers).toEqual(full.customers);
    expect(partial.profiles).toEqual(full.profiles);
    expect(full.incomplete.size).toBe(0);
    expect(partial.incomplete.size).toBeGreaterThan(30);
  });

  it("gives every customer exactly profilesPerCustomer profiles and every status 0–14", () => {
    const data = gen(1);
    const all = [...data.profiles.values()];
    expect(all.every((list) => list.length === 3)).toBe(true);
    const statuses = new Set(all.flat().map((p) => p.lastScanStatus));
    expect([...statuses].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    const big = gen(2, 500, 5);
    const profiles = [...big.profiles.values()].flat();
    const finished = profiles.filter((p) => p.lastScanStatus === 2).length;
    expect(finished / profiles.length).toBeGreaterThan(0.5);
    expect(profiles.some((p) => p.newRegisteredContentCount >= 1000)).toBe(true);
    expect(big.customers.some((c) => c.tenants.length === 0)).toBe(true);
  });

  it("includes awkward names among ordinary ones", () => {
    const data = gen(1);
    const orgs = data.customers.map((c) => c.organization);
    expect(orgs).toContain('Müller & Söhne "GmbH"');
    expect(orgs).toContain("Back\\slash Ltd");
    expect(orgs).toContain("Line\nBreak Inc");
    expect(orgs).toContain("🚀 Rocket Co");
    expect(orgs.some((o) => o.length === 300)).toBe(true);
    expect(orgs.filter((o) => /^[A-Za-z' ]+ \d+/.test(o)).length).toBeGreaterThan(5);
    const names = [...data.profiles.values()].flat().map((p) => p.profileName);
    expect(names.some((n) => n.includes('"'))).toBe(true);
    expect(names.some((n) => n.includes("\n"))).toBe(true);
  });

  it("writes whole-second ISO dates in the past days", () => {
    const profiles = [...gen(1).profiles.values()].flat();
    for (const p of profiles) {
      expect(p.modifiedTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(p.lastUpdateTime)).toBeLessThanOrEqual(ANCHOR);
      expect(Date.parse(p.lastUpdateTime)).toBeGreaterThanOrEqual(Date.parse(p.modifiedTime));
    }
    for (const ms of [0, 951_782_400_000, 1_757_560_754_999, 4_102_444_799_000]) {
      expect(isoSeconds(ms)).toBe(`${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`);
    }
  });

  it("generates 10,000 customers × 5 profiles with unique IDs", () => {
    const data = gen(9, 10_000, 5);
    expect(data.customers).toHaveLength(10_000);
    expect(new Set(data.customers.map((c) => c.id)).size).toBe(10_000);
  });
});
