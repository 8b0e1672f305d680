import { describe, expect, it } from "vitest";
import type { SimCustomer } from "../src/server.js";
import type { Paged } from "./helpers.js";
import { V3, call, start, token } from "./helpers.js";

const json = "application/json";

describe("v3-batch flavor", () => {
  it("lists all customers for {} and filters by customerIds", async () => {
    const sim = await start({ flavor: "v3-batch", customers: 150 });
    const t = await token(sim);
    const all = (
      await call(sim, `${V3}/batch?pageIndex=2&pageSize=100`, t, {
        method: "POST",
        body: "{}",
        contentType: json,
      })
    ).json() as Paged<SimCustomer>;
    expect(all.metadata).toEqual({ pageIndex: 2, pageSize: 100, totalCount: 150 });
    expect(all.data).toHaveLength(50);
    expect(typeof all.data[0]!.jobStatus).toBe("number");
    const wanted = [sim.customers()[5]!.id, sim.customers()[9]!.id, "00000000-0000-4000-8000-000000000000"];
    const some = (
      await call(sim, `${V3}/batch`, t, {
        method: "POST",
        body: JSON.stringify({ customerIds: wanted }),
        contentType: json,
      })
    ).json() as Paged<SimCustomer>;
    expect(some.data.map((c) => c.id)).toEqual(wanted.slice(0, 2));
    expect(some.metadata.totalCount).toBe(2);
  });

  it.each([
    ["no content type", "{}", undefined],
    ["a text content type", "{}", "text/plain"],
    ["an unparsable body", "{nope", json],
    ["an array body", "[]", json],
    ["customerIds not an array", '{"customerIds":"x"}', json],
  ])("refuses %s with 400", async (_name, body, contentType) => {
    const sim = await start({ flavor: "v3-batch" });
    const t = await token(sim);
    const res = await call(sim, `${V3}/batch`, t, {
      method: "POST",
      body,
      ...(contentType ? { contentType } : {}),
    });
    expect(res.status).toBe(400);
  });

  it("lists profile rows without status, filters by scanProfileIds, and serves changes and settings", async () => {
    const sim = await start({ flavor: "v3-batch", profilesPerCustomer: 4 });
    const t = await token(sim);
    const c = sim.customers()[2]!;
    const profiles = sim.profiles(c.id);
    const list = (
      await call(sim, `${V3}/${c.id}/scan-profiles/batch`, t, {
        method: "POST",
        body: "{}",
        contentType: json,
      })
    ).json() as Paged<Record<string, unknown>>;
    expect(list.data).toHaveLength(4);
    expect(Object.keys(list.data[0]!).sort()).toEqual([
      "modifiedTime",
      "profileId",
      "profileName",
      "scanMode",
    ]);
    const one = (
      await call(sim, `${V3}/${c.id}/scan-profiles/batch`, t, {
        method: "POST",
        body: JSON.stringify({ scanProfileIds: [profiles[3]!.profileId] }),
        contentType: "application/json; charset=utf-8",
      })
    ).json() as Paged<Record<string, unknown>>;
    expect(one.data.map((p) => p.profileId)).toEqual([profiles[3]!.profileId]);

    const changes = (
      await call(sim, `${V3}/${c.id}/scan-profiles/${profiles[0]!.profileId}/changes`, t)
    ).json();
    expect(changes).toMatchObject({
      ...profiles[0],
      newRegisteredContent: expect.any(Array),
      movedToAnotherContainerObjects: expect.any(Array),
      removedFromMicrosoft365OrOutOfPolicyObjects: expect.any(Array),
    });
    const settings = (await call(sim, `${V3}/${c.id}/scan-profiles/${profiles[0]!.profileId}`, t)).json();
    expect(settings).toMatchObject({
      createdTime: expect.any(String),
      enableDailyScan: expect.stringMatching(/^(No|\d\d:\d\d)$/),
      containers: expect.any(Array),
    });
    expect((await call(sim, V3, t)).status).toBe(404);
    expect(sim.stats().byEndpoint).toMatchObject({
      [`POST ${V3}/{customerId}/scan-profiles/batch`]: 2,
      [`GET ${V3}/{customerId}/scan-profiles/{scanProfileId}/changes`]: 1,
      [`GET ${V3}/{customerId}/scan-profiles/{scanProfileId}`]: 1,
    });
  });
});
