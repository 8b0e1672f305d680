import { describe, expect, it } from "vitest";
import type { SimFlavor, Simulator } from "../src/server.js";
import { MODERN_ENDPOINTS, V3_BATCH_ENDPOINTS, V3_ENDPOINTS } from "../src/server.js";
import type { ApiResult } from "./helpers.js";
import { V3, call, start, token } from "./helpers.js";

/** Per flavor: its customer-list endpoint key, and how to ask for page 1 (plainly or explicitly), page 2 and a profile list. */
interface FlavorCalls {
  endpoint: string;
  firstPage: (sim: Simulator, t: string) => Promise<ApiResult>;
  firstPageExplicit: (sim: Simulator, t: string) => Promise<ApiResult>;
  secondPage: (sim: Simulator, t: string) => Promise<ApiResult>;
  profiles: (sim: Simulator, t: string) => Promise<ApiResult>;
}

const batch = (sim: Simulator, t: string, path: string): Promise<ApiResult> =>
  call(sim, path, t, { method: "POST", body: "{}", contentType: "application/json" });

const FLAVORS: Record<SimFlavor, FlavorCalls> = {
  v3: {
    endpoint: V3_ENDPOINTS.customers,
    firstPage: (sim, t) => call(sim, V3, t),
    firstPageExplicit: (sim, t) => call(sim, `${V3}?pageIndex=1&pageSize=100`, t),
    secondPage: (sim, t) => call(sim, `${V3}?pageIndex=2&pageSize=100`, t),
    profiles: (sim, t) => call(sim, `${V3}/${sim.customers()[0]!.id}/scan-profiles`, t),
  },
  modern: {
    endpoint: MODERN_ENDPOINTS.customers,
    firstPage: (sim, t) => call(sim, "/partner/customers", t),
    firstPageExplicit: (sim, t) => call(sim, "/partner/Customers?$skiptoken=0", t),
    secondPage: (sim, t) => call(sim, "/partner/customers?$skiptoken=100", t),
    profiles: (sim, t) => call(sim, `/partner/customers/${sim.customers()[0]!.id}/scanProfiles`, t),
  },
  "v3-batch": {
    endpoint: V3_BATCH_ENDPOINTS.customers,
    firstPage: (sim, t) => batch(sim, t, `${V3}/batch`),
    firstPageExplicit: (sim, t) => batch(sim, t, `${V3}/batch?pageIndex=1&pageSize=100`),
    secondPage: (sim, t) => batch(sim, t, `${V3}/batch?pageIndex=2&pageSize=100`),
    profiles: (sim, t) => batch(sim, t, `${V3}/${sim.customers()[0]!.id}/scan-profiles/batch`),
  },
};

describe.each(Object.entries(FLAVORS))("429 burst on the customer list, flavor %s", (flavor, calls) => {
  it("answers the next N first-page requests 429 with the Retry-After asked for, and nothing else", async () => {
    const sim = await start({ flavor: flavor as SimFlavor, customers: 150 });
    const t = await token(sim);
    sim.setFaults({ customersThrottleBurst: 3, retryAfter: "17" });
    // Other routes and later pages do not use up the burst.
    expect((await calls.profiles(sim, t)).status).toBe(200);
    expect((await calls.secondPage(sim, t)).status).toBe(200);
    const answers = [
      await calls.firstPage(sim, t),
      await calls.firstPageExplicit(sim, t),
      await calls.firstPage(sim, t),
      await calls.firstPage(sim, t),
    ];
    expect(answers.map((r) => r.status)).toEqual([429, 429, 429, 200]);
    expect(answers.slice(0, 3).map((r) => r.headers.get("retry-after"))).toEqual(["17", "17", "17"]);
    expect(answers[0]!.json()).toEqual({
      error: { code: "TooManyRequests", message: "rate limit exceeded" },
    });
    expect(sim.faults().customersThrottleBurst).toBe(0);
    expect(sim.stats()).toMatchObject({
      served: 3,
      throttled: 3,
      rateLimited: 0,
      throttledByEndpoint: { [calls.endpoint]: 3 },
    });
    expect(sim.stats().servedByEndpoint[calls.endpoint]).toBe(2);
  });

  it.each(["999999999", "Fri, 31 Dec 9999 23:59:59 GMT", "soon", ""])(
    "answers one 429 with Retry-After %j, then serves",
    async (retryAfter) => {
      const sim = await start({ flavor: flavor as SimFlavor });
      const t = await token(sim);
      sim.setFaults({ throttleBurst: 1, retryAfter });
      const refused = await calls.firstPage(sim, t);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe(retryAfter);
      expect((await calls.firstPage(sim, t)).status).toBe(200);
    },
  );
});

describe("injected 429s and the rate limit together", () => {
  it("refuses by the rate limit first, so a refused request leaves the injected burst alone", async () => {
    let now = 0;
    const sim = await start({ clock: () => now, faults: { rateLimit: 1 } });
    const t = await token(sim);
    expect((await call(sim, `${V3}/${sim.customers()[0]!.id}/scan-profiles`, t)).status).toBe(200);
    sim.setFaults({ customersThrottleBurst: 1, retryAfter: "30" });
    const limited = await call(sim, V3, t);
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "1"]);
    expect(sim.faults().customersThrottleBurst).toBe(1);
    now += 1_000;
    const injected = await call(sim, V3, t);
    expect([injected.status, injected.headers.get("retry-after")]).toEqual([429, "30"]);
    now += 1_000;
    expect((await call(sim, V3, t)).status).toBe(200);
    expect(sim.stats()).toMatchObject({ served: 2, throttled: 2, rateLimited: 1 });
  });

  it("sets the customer-list burst and any Retry-After text through POST /_sim/faults", async () => {
    const sim = await start({ flavor: "modern" });
    const t = await token(sim);
    const set = await call(sim, "/_sim/faults", null, {
      method: "POST",
      body: JSON.stringify({ customersThrottleBurst: 1, retryAfter: "Fri, 31 Dec 9999 23:59:59 GMT" }),
    });
    expect(set.status).toBe(200);
    const refused = await call(sim, "/partner/customers", t);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("Fri, 31 Dec 9999 23:59:59 GMT");
    for (const bad of [{ customersThrottleBurst: -1 }, { retryAfter: "1\r\nX-Evil: 1" }, { retryAfter: 5 }]) {
      const res = await call(sim, "/_sim/faults", null, { method: "POST", body: JSON.stringify(bad) });
      expect(res.status).toBe(400);
    }
  });
});
