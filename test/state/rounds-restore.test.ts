/** Rounds take a kept state as if there had been no restart: served at once, stalest first next. */
import { describe, expect, it } from "vitest";
import { Rounds } from "../../src/collect/rounds.js";
import { fakeApi } from "../collect/fake-api.js";

const NOW = 1_800_000_000;

describe("rounds restored from a kept state", () => {
  const kept = (ids: readonly string[], ages: readonly number[]) => ({
    listing: { ok: true } as const,
    listedOnce: true,
    updatedAt: NOW - 10,
    lastComplete: { endedAt: NOW - 50, durationSeconds: 40 },
    lastCounts: { customers: ids.length, done: ids.length },
    lastEnd: (NOW - 50) * 1000,
    customers: ids.map((id, i) => ({
      customer: { id, name: id, country: "", managementMode: null, jobStatus: null },
      profiles: [],
      lastSuccess: NOW - ages[i]!,
      last: { ok: true } as const,
      lastAttemptAt: NOW - ages[i]!,
    })),
  });

  it("is ready and serves the kept customers with their true age before any round", () => {
    const rounds = new Rounds(fakeApi(0), {
      minIntervalSeconds: 0,
      maxStaleSeconds: 3600,
      maxRoundSeconds: 60,
    });
    expect(rounds.ready).toBe(false);
    expect(rounds.restore(kept(["a", "b"], [30, 20]))).toBe(true);
    expect(rounds.ready).toBe(true);
    const view = rounds.view();
    expect(view.customers.map((c) => [c.customer.id, c.lastSuccess])).toEqual([
      ["a", NOW - 30],
      ["b", NOW - 20],
    ]);
    expect(view.round.lastComplete).toEqual({ endedAt: NOW - 50, durationSeconds: 40 });
  });

  it("starts the first round after a restart with the stalest customers", async () => {
    const api = fakeApi(0, { latencyMs: 0 });
    api.customers = ["fresh", "oldest", "middle", "new"].map((id) => ({
      id,
      name: id,
      country: "",
      managementMode: null,
      jobStatus: null,
    }));
    const rounds = new Rounds(api, {
      minIntervalSeconds: 0,
      maxStaleSeconds: 3600,
      maxRoundSeconds: 60,
      parallelism: 1,
      now: () => NOW * 1000,
    });
    rounds.restore(kept(["fresh", "oldest", "middle"], [10, 900, 300]));
    rounds.start();
    await rounds.idle();
    // Never collected comes first (stalest of all), then by the age of the kept data.
    expect(api.started).toEqual(["new", "oldest", "middle", "fresh"]);
  });

  it("takes nothing once collection has begun", async () => {
    const api = fakeApi(2, { latencyMs: 0 });
    const rounds = new Rounds(api, { minIntervalSeconds: 0, maxStaleSeconds: 3600, maxRoundSeconds: 60 });
    rounds.start();
    await rounds.idle();
    expect(rounds.restore(kept(["x"], [1]))).toBe(false);
    expect(rounds.view().customers.map((c) => c.customer.id)).not.toContain("x");
  });

  it("keeps --collect.min-interval across a restart", () => {
    const api = fakeApi(1, { latencyMs: 0 });
    const rounds = new Rounds(api, {
      minIntervalSeconds: 3600,
      maxStaleSeconds: 3600,
      maxRoundSeconds: 60,
      now: () => NOW * 1000,
    });
    rounds.restore(kept(["a"], [60]));
    expect(rounds.start()).toBe(false);
  });
});
