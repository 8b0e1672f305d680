import { describe, expect, it } from "vitest";
import type { SimProfile } from "../src/server.js";
import type { Paged } from "./helpers.js";
import { V3, call, requestToken, start, token, waitFor } from "./helpers.js";

describe("faults", () => {
  it("answers 500 at errorRate 1 and counts the request", async () => {
    const sim = await start({ faults: { errorRate: 1 } });
    const t = await token(sim);
    const res = await call(sim, V3, t);
    expect(res.status).toBe(500);
    expect(res.json()).toHaveProperty("error");
    expect(sim.stats().byEndpoint[`GET ${V3}`]).toBe(1);
  });

  it("fails one customer with its own status and leaves the others alone", async () => {
    const sim = await start();
    const [a, b] = sim.customers();
    sim.setFaults({ failCustomers: { [a!.id]: 403 } });
    const t = await token(sim);
    expect((await call(sim, `${V3}/${a!.id}/scan-profiles`, t)).status).toBe(403);
    expect((await call(sim, `${V3}/${b!.id}/scan-profiles`, t)).status).toBe(200);
    expect((await call(sim, V3, t)).status).toBe(200);
  });

  it("sends invalid JSON for a badjson customer and drops a profileId for missing-field", async () => {
    const sim = await start();
    const [a, b] = sim.customers();
    sim.setFaults({ failCustomers: { [a!.id]: "badjson", [b!.id]: "missing-field" } });
    const t = await token(sim);
    const bad = await call(sim, `${V3}/${a!.id}/scan-profiles`, t);
    expect(bad.status).toBe(200);
    expect(() => bad.json()).toThrow();
    const missing = (await call(sim, `${V3}/${b!.id}/scan-profiles`, t)).json() as Paged<Partial<SimProfile>>;
    expect(missing.data[0]).not.toHaveProperty("profileId");
    expect(missing.data[0]).toHaveProperty("profileName");
    expect(missing.data[1]).toHaveProperty("profileId");
  });

  it("keeps a hanging customer's request open until the client gives up", async () => {
    const sim = await start();
    const a = sim.customers()[0]!;
    sim.setFaults({ failCustomers: { [a.id]: "hang" } });
    const t = await token(sim);
    const res = fetch(`${sim.url}${V3}/${a.id}/scan-profiles`, {
      headers: { Authorization: `Bearer ${t}` },
      signal: AbortSignal.timeout(150),
    });
    await expect(res).rejects.toThrow();
    // The client went away: the simulator lets the hung request go (the test's timeout bounds the wait).
    await waitFor(() => sim.stats().inFlight === 0);
  });

  it("closes while a request hangs", async () => {
    const sim = await start();
    const a = sim.customers()[0]!;
    sim.setFaults({ failCustomers: { [a.id]: "hang" } });
    const t = await token(sim);
    const pending = fetch(`${sim.url}${V3}/${a.id}/scan-profiles`, {
      headers: { Authorization: `Bearer ${t}` },
    });
    await waitFor(() => sim.stats().inFlight === 1);
    await sim.close();
    await expect(pending).rejects.toThrow();
  });

  it("answers 429 with Retry-After, or without it when retryAfter is null", async () => {
    const sim = await start({ faults: { throttleRate: 1, retryAfter: "7" } });
    const t = await token(sim);
    const res = await call(sim, V3, t);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    sim.setFaults({ retryAfter: null });
    const bare = await call(sim, V3, t);
    expect(bare.status).toBe(429);
    expect(bare.headers.get("retry-after")).toBeNull();
  });

  it("throttles exactly throttleBurst requests, then recovers", async () => {
    const sim = await start({ faults: { throttleBurst: 3 } });
    const t = await token(sim);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(sim, V3, t)).status);
    expect(statuses).toEqual([429, 429, 429, 200, 200]);
  });

  it("truncates JSON at malformedJsonRate 1", async () => {
    const sim = await start({ faults: { malformedJsonRate: 1 } });
    const t = await token(sim);
    const res = await call(sim, V3, t);
    expect(res.status).toBe(200);
    expect(() => res.json()).toThrow(SyntaxError);
  });

  it.each([
    [400, "invalid_client"],
    [401, "invalid_client"],
    [500, "server_error"],
    [503, "temporarily_unavailable"],
  ])("token endpoint answers tokenStatus %i (%s)", async (status, error) => {
    const sim = await start({ faults: { tokenStatus: status } });
    const res = await requestToken(sim, {
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: "demo-secret",
    });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toBe(error);
    sim.setFaults({ tokenStatus: null });
    await expect(token(sim)).resolves.toEqual(expect.any(String));
  });

  it("refuses an expired token with 401", async () => {
    const sim = await start({ faults: { tokenLifetimeSeconds: 0 } });
    const res = await requestToken(sim, {
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: "demo-secret",
    });
    expect(((await res.json()) as { expires_in: number }).expires_in).toBe(0);
    const t = await token(sim);
    const api = await call(sim, V3, t);
    expect(api.status).toBe(401);
    expect(api.json()).toMatchObject({ error: { message: "token expired" } });
  });

  it("waits latencyMs before answering and tracks concurrency", async () => {
    // Long enough that all 40 requests are in flight together even on a busy machine.
    const sim = await start({ faults: { latencyMs: 800 } });
    const t = await token(sim);
    let answered = 0;
    const calls = Array.from({ length: 40 }, () => call(sim, V3, t).finally(() => answered++));
    // All 40 arrived and none is answered yet: each waits its latency, together.
    await waitFor(() => sim.stats().inFlight === 40);
    expect(answered).toBe(0);
    const results = await Promise.all(calls);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const stats = sim.stats();
    expect(stats.maxInFlight).toBe(40);
    expect(stats.inFlight).toBe(0);
    sim.resetStats();
    expect(sim.stats()).toMatchObject({ apiRequests: 0, tokenRequests: 0, maxInFlight: 0, byEndpoint: {} });
  });

  it("serves a thousand concurrent requests with 50 ms latency", async () => {
    const sim = await start({ faults: { latencyMs: 50 } });
    const t = await token(sim);
    const customer = sim.customers()[0]!;
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => call(sim, `${V3}/${customer.id}/scan-profiles`, t)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1000);
    // Served side by side, not one after the other (speed itself is measured by npm run bench).
    expect(sim.stats().maxInFlight).toBeGreaterThan(100);
  });
});

describe("stats", () => {
  it("counts API requests per endpoint template, token requests apart, /_sim not at all", async () => {
    const sim = await start();
    const t = await token(sim);
    const [a, b] = sim.customers();
    await call(sim, V3, t);
    await call(sim, `${V3}/${a!.id}/scan-profiles`, t);
    await call(sim, `${V3}/${b!.id}/scan-profiles`, t);
    await call(sim, `${V3}/${b!.id}/scan-profiles-v2/${sim.profiles(b!.id)[0]!.profileId}`, t);
    await call(sim, V3, null);
    await call(sim, "/_sim/stats", null);
    const stats = sim.stats();
    expect(stats.apiRequests).toBe(5);
    expect(stats.tokenRequests).toBe(1);
    expect(stats.byEndpoint).toEqual({
      [`GET ${V3}`]: 2,
      [`GET ${V3}/{customerId}/scan-profiles`]: 2,
      [`GET ${V3}/{customerId}/scan-profiles-v2/{scanProfileId}`]: 1,
    });
  });
});

describe("control endpoints", () => {
  it("reads and resets stats, sets faults, and edits the data", async () => {
    const sim = await start();
    const t = await token(sim);
    await call(sim, V3, t);
    expect((await call(sim, "/_sim/stats", null)).json()).toMatchObject({ apiRequests: 1, tokenRequests: 1 });
    await call(sim, "/_sim/stats/reset", null, { method: "POST" });
    expect(sim.stats().apiRequests).toBe(0);

    const faults = await call(sim, "/_sim/faults", null, {
      method: "POST",
      body: JSON.stringify({ errorRate: 1 }),
    });
    expect(faults.status).toBe(200);
    expect((await call(sim, V3, t)).status).toBe(500);
    const invalid = await call(sim, "/_sim/faults", null, { method: "POST", body: '{"errorRate":3}' });
    expect(invalid.status).toBe(400);
    await call(sim, "/_sim/faults", null, { method: "POST", body: '{"errorRate":0}' });

    const data = (await call(sim, "/_sim/customers", null)).json() as {
      customers: { id: string; profiles: SimProfile[] }[];
    };
    expect(data.customers).toHaveLength(20);
    const [a, b] = data.customers;
    const pid = a!.profiles[0]!.profileId;
    const patched = await call(sim, `/_sim/customers/${a!.id}/profiles/${pid}`, null, {
      method: "PATCH",
      body: JSON.stringify({ lastScanStatus: 3, newRegisteredContentCount: 42 }),
    });
    expect(patched.json()).toMatchObject({
      profileId: pid,
      lastScanStatus: 3,
      newRegisteredContentCount: 42,
    });
    const row = ((await call(sim, `${V3}/${a!.id}/scan-profiles`, t)).json() as Paged<SimProfile>).data[0];
    expect(row).toMatchObject({ lastScanStatus: 3, newRegisteredContentCount: 42 });

    await call(sim, `/_sim/customers/${a!.id}/profiles/${pid}`, null, { method: "DELETE" });
    expect(sim.profiles(a!.id)).toHaveLength(2);
    await call(sim, `/_sim/customers/${b!.id}`, null, { method: "DELETE" });
    expect(sim.customers()).toHaveLength(19);
    expect((await call(sim, `${V3}/${b!.id}/scan-profiles`, t)).status).toBe(404);
    expect((await call(sim, `/_sim/customers/${b!.id}`, null, { method: "DELETE" })).status).toBe(404);
    expect(sim.stats().byEndpoint[`GET ${V3}`]).toBe(1);
  });

  it("updates and deletes through the programmatic API", async () => {
    const sim = await start();
    const c = sim.customers()[0]!;
    const p = sim.profiles(c.id)[0]!;
    sim.updateProfile(c.id, p.profileId, { profileName: "Renamed" });
    expect(sim.profiles(c.id)[0]!.profileName).toBe("Renamed");
    expect(p.profileName).not.toBe("Renamed");
    expect(() => sim.updateProfile(c.id, "nope", {})).toThrow();
    sim.deleteCustomer(c.id);
    expect(sim.profiles(c.id)).toEqual([]);
  });
});
