import { describe, expect, it } from "vitest";
import type { SimCustomer, SimProfile } from "../src/server.js";
import type { Paged } from "./helpers.js";
import { V3, call, requestToken, start, token } from "./helpers.js";

describe("identity", () => {
  it("issues a token for the right secret and refuses a wrong one", async () => {
    const sim = await start();
    const ok = await requestToken(sim, {
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: "demo-secret",
      scope: "elements.customers.read.all elements.scanprofiles.read.all",
    });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ expires_in: 3600, token_type: "Bearer" });
    expect(typeof body.access_token).toBe("string");
    expect(body.scope).toBe("elements.customers.read.all elements.scanprofiles.read.all");

    const bad = await requestToken(sim, {
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: "wrong",
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "invalid_client" });
    const unknown = await requestToken(sim, {
      grant_type: "client_credentials",
      client_id: "x",
      client_secret: "demo-secret",
    });
    expect(await unknown.json()).toEqual({ error: "invalid_client" });
  });

  it.each([
    [{ scope: "partner.customers.read.all" }, "invalid_scope"],
    [{ scope: "elements.customers.read.all bogus" }, "invalid_scope"],
    [{ grant_type: "password" }, "unsupported_grant_type"],
  ])("refuses %j with %s", async (override, error) => {
    const sim = await start();
    const res = await requestToken(sim, {
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: "demo-secret",
      ...override,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(error);
  });

  it("refuses secret auth when it is disabled", async () => {
    const sim = await start({ clientSecret: null });
    await expect(token(sim)).rejects.toThrow("token: 400");
  });

  it("answers 403 when the token lacks the endpoint's scope", async () => {
    const sim = await start();
    const res = await requestToken(sim, {
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: "demo-secret",
      scope: "elements.customers.read.all",
    });
    const { access_token } = (await res.json()) as { access_token: string };
    expect((await call(sim, V3, access_token)).status).toBe(200);
    const customer = sim.customers()[0]!;
    expect((await call(sim, `${V3}/${customer.id}/scan-profiles`, access_token)).status).toBe(403);
  });
});

describe("v3 flavor", () => {
  it("answers 401 without a token or with an unknown one", async () => {
    const sim = await start();
    const none = await call(sim, V3, null);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect((await call(sim, V3, "made-up")).status).toBe(401);
  });

  it("pages customers with totalCount and refuses pageSize above 100", async () => {
    const sim = await start({ customers: 250 });
    const t = await token(sim);
    const first = (await call(sim, V3, t)).json() as Paged<SimCustomer>;
    expect(first.metadata).toEqual({ pageIndex: 1, pageSize: 100, totalCount: 250 });
    expect(first.data).toHaveLength(100);
    const last = (await call(sim, `${V3}?pageIndex=3&pageSize=100`, t)).json() as Paged<SimCustomer>;
    expect(last.data).toHaveLength(50);
    expect(last.data[49]).toEqual(sim.customers()[249]);
    const small = (await call(sim, `${V3}?pageIndex=2&pageSize=7`, t)).json() as Paged<SimCustomer>;
    expect(small.data.map((c) => c.id)).toEqual(
      sim
        .customers()
        .slice(7, 14)
        .map((c) => c.id),
    );
    expect((await call(sim, `${V3}?pageSize=101`, t)).status).toBe(400);
    expect((await call(sim, `${V3}?pageIndex=0`, t)).status).toBe(400);
    expect((await call(sim, `${V3}?pageSize=abc`, t)).status).toBe(400);
  });

  it("lists profiles with status and counts, one profile, its detail, and 404s", async () => {
    const sim = await start({ profilesPerCustomer: 5 });
    const t = await token(sim);
    const customer = sim.customers()[3]!;
    const list = (await call(sim, `${V3}/${customer.id}/scan-profiles`, t)).json() as Paged<SimProfile>;
    expect(list.metadata.totalCount).toBe(5);
    expect(list.data).toEqual(sim.profiles(customer.id));
    const profile = sim.profiles(customer.id)[1]!;
    const one = await call(sim, `${V3}/${customer.id}/scan-profiles-v2/${profile.profileId}`, t);
    expect(one.json()).toEqual(profile);
    const detail = (
      await call(sim, `${V3}/${customer.id}/scan-profiles-v2/${profile.profileId}/detail`, t)
    ).json();
    expect(detail).toMatchObject({
      newRegisteredContent: expect.any(Array),
      removedFromMicrosoft365OrOutOfPolicyObjects: expect.any(Array),
      movedToAnotherContainerObjects: expect.any(Array),
    });
    expect((await call(sim, `${V3}/00000000-0000-4000-8000-000000000000/scan-profiles`, t)).status).toBe(404);
    expect((await call(sim, `${V3}/${customer.id}/scan-profiles-v2/nope`, t)).status).toBe(404);
    expect((await call(sim, "/partner/customers", t)).status).toBe(404);
    expect((await call(sim, `${V3}/batch`, t, { method: "POST", body: "{}" })).status).toBe(404);
  });

  it("leaves status, counts and lastUpdateTime out of the incomplete share of rows", async () => {
    const sim = await start({ customers: 50, incompleteRowRate: 0.3 });
    const t = await token(sim);
    let incomplete = 0;
    let complete = 0;
    for (const customer of sim.customers()) {
      const list = (await call(sim, `${V3}/${customer.id}/scan-profiles`, t)).json() as Paged<
        Record<string, unknown>
      >;
      for (const row of list.data) {
        if ("lastScanStatus" in row) {
          complete += 1;
        } else {
          incomplete += 1;
          expect(Object.keys(row)).not.toContain("newRegisteredContentCount");
          expect(Object.keys(row)).not.toContain("lastUpdateTime");
          const one = await call(sim, `${V3}/${customer.id}/scan-profiles-v2/${String(row.profileId)}`, t);
          expect(one.json()).toHaveProperty("lastScanStatus");
        }
      }
    }
    expect(incomplete).toBeGreaterThan(20);
    expect(complete).toBeGreaterThan(80);
  });

  it("serves paths case-insensitively", async () => {
    const sim = await start();
    const t = await token(sim);
    const customer = sim.customers()[0]!;
    const res = await call(
      sim,
      `/Partner/External/V3/General/Customers/${customer.id.toUpperCase()}/Scan-Profiles`,
      t,
    );
    expect(res.status).toBe(200);
  });
});
