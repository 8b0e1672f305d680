import { describe, expect, it } from "vitest";
import type { SimCustomer, SimProfile } from "../src/server.js";
import type { Paged } from "./helpers.js";
import { V3, call, requestToken, start, token } from "./helpers.js";

interface OData {
  "@odata.context": string;
  "@odata.nextLink"?: string;
  nextLink?: string;
  value: Record<string, unknown>[];
}

/** Reads a modern record whatever its casing, ID spelling, misspelling or date format. */
function field(row: Record<string, unknown>, camel: string): unknown {
  const variants = [camel, camel.replace(/Id$/, "ID"), camel.replace("Registered", "Registed")];
  for (const v of variants) {
    for (const name of [v, v.charAt(0).toUpperCase() + v.slice(1)]) if (name in row) return row[name];
  }
  return undefined;
}

function isoOf(value: unknown): string {
  const text = String(value);
  const us = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)$/.exec(text);
  return us ? `${us[3]}-${us[1]}-${us[2]}T${us[4]}:${us[5]}:${us[6]}Z` : text;
}

const JOB_STATUS = ["N/A", "Working", "Failed", "Waiting for configuration", "Multiple issues found"];

describe("modern flavor", () => {
  it("issues tokens only for partner.* scopes", async () => {
    const sim = await start({ flavor: "modern" });
    const res = await requestToken(sim, {
      grant_type: "client_credentials",
      client_id: "demo-client",
      client_secret: "demo-secret",
      scope: "elements.customers.read.all",
    });
    expect(await res.json()).toEqual({ error: "invalid_scope" });
    expect((await call(sim, V3, await token(sim))).status).toBe(404);
  });

  it("pages customers by nextLink, in either spelling", async () => {
    const sim = await start({ flavor: "modern", customers: 250 });
    const t = await token(sim);
    const ids: string[] = [];
    let next: string | undefined = `${sim.url}/partner/customers`;
    let pages = 0;
    while (next !== undefined) {
      const page = (await call(sim, next, t)).json() as OData;
      expect(page["@odata.context"]).toContain(sim.url);
      ids.push(...page.value.map((c) => String(c.id)));
      next = page["@odata.nextLink"] ?? page.nextLink;
      if (next !== undefined) expect(next.startsWith(`${sim.url}/partner/customers?`)).toBe(true);
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(ids).toEqual(sim.customers().map((c) => c.id));
  });

  it("pages profiles above 100 by nextLink", async () => {
    const sim = await start({ flavor: "modern", customers: 1, profilesPerCustomer: 130 });
    const t = await token(sim);
    const id = sim.customers()[0]!.id;
    const first = (await call(sim, `/partner/customers/${id}/scanProfiles`, t)).json() as OData;
    expect(first.value).toHaveLength(100);
    const link = first["@odata.nextLink"] ?? first.nextLink;
    const second = (await call(sim, link!, t)).json() as OData;
    expect(second.value).toHaveLength(30);
    expect(second["@odata.nextLink"] ?? second.nextLink).toBeUndefined();
  });

  it("mixes casing, ID spelling, the misspelt count and both date formats across responses", async () => {
    const sim = await start({ flavor: "modern", customers: 2 });
    const t = await token(sim);
    const c = sim.customers()[0]!;
    const p = sim.profiles(c.id)[0]!;
    const keys = new Set<string>();
    const dates = new Set<string>();
    const jobStatusTypes = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const path =
        i % 2 === 0
          ? `/partner/Customers/${c.id}/ScanProfilesDailyNew/ProfileId/${p.profileId}`
          : `/partner/customers/${c.id}/scanProfiles/${p.profileId}/dailyNewSummary`;
      const daily = (await call(sim, path, t)).json() as Record<string, unknown>;
      Object.keys(daily).forEach((k) => keys.add(k));
      dates.add(String(field(daily, "lastUpdateTime")).includes("/") ? "us" : "iso");
      expect(field(daily, "newRegisteredContentCount")).toBe(p.newRegisteredContentCount);
      expect(isoOf(field(daily, "lastUpdateTime"))).toBe(p.lastUpdateTime);
      expect(field(daily, "profileId")).toBe(p.profileId);
      const customers = (await call(sim, "/partner/customers", t)).json() as OData;
      jobStatusTypes.add(typeof customers.value[0]!.jobStatus);
    }
    const seen = (...names: string[]): boolean => names.some((name) => keys.has(name));
    expect(seen("ProfileName"), "PascalCase").toBe(true);
    expect(seen("profileName"), "camelCase").toBe(true);
    expect(seen("profileID", "ProfileID"), "ID spelling").toBe(true);
    expect(seen("profileId", "ProfileId"), "Id spelling").toBe(true);
    expect(seen("newRegistedContentCount", "NewRegistedContentCount"), "misspelt count").toBe(true);
    expect(seen("newRegisteredContentCount", "NewRegisteredContentCount"), "correct count").toBe(true);
    expect(seen("@odata.context")).toBe(true);
    expect(dates).toEqual(new Set(["us", "iso"]));
    expect(jobStatusTypes).toEqual(new Set(["string", "number"]));
  });

  it("offers only the configured daily route spelling", async () => {
    const sim = await start({ flavor: "modern", modernDailyRoutes: "summary" });
    const t = await token(sim);
    const c = sim.customers()[0]!;
    const p = sim.profiles(c.id)[0]!;
    expect(
      (await call(sim, `/partner/customers/${c.id}/scanProfiles/${p.profileId}/dailyNewSummary`, t)).status,
    ).toBe(200);
    expect(
      (await call(sim, `/partner/customers/${c.id}/scanProfilesDailyNew/profileId/${p.profileId}`, t)).status,
    ).toBe(404);
    const legacy = await start({ flavor: "modern", modernDailyRoutes: "legacy" });
    const t2 = await token(legacy);
    const c2 = legacy.customers()[0]!;
    const p2 = legacy.profiles(c2.id)[0]!;
    expect(
      (await call(legacy, `/partner/customers/${c2.id}/scanProfilesDailyNew/profileId/${p2.profileId}`, t2))
        .status,
    ).toBe(200);
    expect(
      (await call(legacy, `/partner/customers/${c2.id}/scanProfiles/${p2.profileId}/dailyNewSummary`, t2))
        .status,
    ).toBe(404);
  });
});

describe("same seed, same data", () => {
  it("gives identical values in v3, modern and v3-batch", async () => {
    const options = { seed: 42, customers: 8, profilesPerCustomer: 4 };
    const v3 = await start({ ...options, flavor: "v3" });
    const modern = await start({ ...options, flavor: "modern" });
    const batch = await start({ ...options, flavor: "v3-batch" });
    expect(modern.customers()).toEqual(v3.customers());
    expect(batch.customers()).toEqual(v3.customers());

    const tv3 = await token(v3);
    const tm = await token(modern);
    const tb = await token(batch);
    const v3Customers = ((await call(v3, V3, tv3)).json() as Paged<SimCustomer>).data;
    const modernCustomers = ((await call(modern, "/partner/customers", tm)).json() as OData).value;
    const batchCustomers = (
      (
        await call(batch, `${V3}/batch`, tb, { method: "POST", body: "{}", contentType: "application/json" })
      ).json() as Paged<SimCustomer>
    ).data;
    expect(batchCustomers).toEqual(v3Customers);
    expect(modernCustomers.map((c) => [c.id, c.organization, c.ownerEmail, c.countryOrRegion])).toEqual(
      v3Customers.map((c) => [c.id, c.organization, c.ownerEmail, c.countryOrRegion]),
    );
    modernCustomers.forEach((c, i) => {
      const expected = v3Customers[i]!.jobStatus;
      expect(typeof c.jobStatus === "number" ? c.jobStatus : JOB_STATUS.indexOf(String(c.jobStatus))).toBe(
        expected,
      );
    });

    for (const customer of v3Customers) {
      const rows = ((await call(v3, `${V3}/${customer.id}/scan-profiles`, tv3)).json() as Paged<SimProfile>)
        .data;
      for (const row of rows) {
        const daily = (
          await call(
            modern,
            `/partner/customers/${customer.id}/scanProfiles/${row.profileId}/dailyNewSummary`,
            tm,
          )
        ).json() as Record<string, unknown>;
        const normalized = Object.fromEntries(
          Object.keys(row).map((k) => [k, /Time$/.test(k) ? isoOf(field(daily, k)) : field(daily, k)]),
        );
        expect(normalized).toEqual(row);
        const changes = (
          await call(batch, `${V3}/${customer.id}/scan-profiles/${row.profileId}/changes`, tb)
        ).json();
        expect(changes).toMatchObject(row);
      }
    }
  });
});
