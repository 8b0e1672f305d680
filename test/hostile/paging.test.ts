/**
 * Lists that page without end or without progress: a promised total far past any cap, full pages
 * without a total, a server ignoring pageSize, next links that point to themselves or count forever.
 * One customer's list misbehaves; the exporter must cost that customer at most, in a few requests.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { series, value } from "../helpers/exposition.js";
import { startChild, settleChild, MIB } from "../helpers/child.js";
import {
  errorsOf,
  expectNoLeak,
  expectSurvived,
  expectValidExposition,
  hostileExporter,
  listRequests,
  parseErrors,
  reports,
  scrapeOf,
  settle,
  successOf,
} from "./harness.js";
import { sendJson, startUpstream, type SeenRequest } from "./upstream.js";
import {
  customerRow,
  modernFleet,
  modernProfileRow,
  modernProfilesOf,
  profileRow,
  v3BatchFleet,
  v3BatchProfilesOf,
  v3Fleet,
  v3ProfilesOf,
  type Override,
} from "./wire.js";

const GOOD = Array.from({ length: 8 }, (_, i) => `good-${i + 1}`);
const BAD = "bad-1";
const ALL = [...GOOD, BAD];
/** One round only: the request counts below are those of a single collection. */
const ONE_ROUND = ["--collect.min-interval=10m", "--avepoint.max-retries=0"];
/** "A handful": page 1, perhaps the page that shows no progress, and some slack. */
const HANDFUL = 4;

const pageIndexOf = (req: SeenRequest): number => Number(req.query.get("pageIndex") ?? "1");

/** Answers BAD's v3 profile list with `answer`; everything else is a well-behaved fleet. */
const v3WithBadList = (answer: (req: SeenRequest, res: ServerResponse) => void) => {
  const override: Override = (req, res) => {
    if (v3ProfilesOf(req) !== BAD) return false;
    answer(req, res);
    return true;
  };
  return v3Fleet({ customers: () => ALL.map(customerRow), override });
};

const rows = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => profileRow(`${BAD}-p${from + i}`));

describe("paging against a hostile upstream (v3)", () => {
  it("totalCount 1e9 on one customer's profile list: the process lives, small, in a handful of requests", async () => {
    const upstream = await startUpstream(
      v3WithBadList((req, res) =>
        sendJson(res, 200, { data: rows((pageIndexOf(req) - 1) * 100, 100), metadata: { totalCount: 1e9 } }),
      ),
    );
    const child = await startChild(upstream, ONE_ROUND);
    const scrape = await settleChild(child, (s) => reports(s.samples, ALL));
    expect(child.running.child.exitCode).toBeNull();
    expect((await child.get("/-/healthy")).status).toBe(200);
    expectValidExposition(scrape);
    for (const id of GOOD) expect(successOf(scrape.samples, id), id).toBe(1);
    expect(successOf(scrape.samples, BAD)).toBe(0);
    expect(errorsOf(scrape.samples, BAD, "paging")).toBeGreaterThanOrEqual(1);
    expect(parseErrors(scrape.samples, "paging")).toBeGreaterThanOrEqual(1);
    expect(listRequests(upstream, v3ProfilesOf, BAD)).toBeLessThanOrEqual(HANDFUL);
    expect(child.peakRssBytes() / MIB).toBeLessThan(300);
    const landing = await child.get("/");
    expectNoLeak(upstream, [scrape.text, landing.text, child.running.output()]);
  }, 90_000);

  it.each([
    { flavor: "v3", fleet: v3Fleet, ownerOf: v3ProfilesOf },
    { flavor: "v3-batch", fleet: v3BatchFleet, ownerOf: v3BatchProfilesOf },
  ])(
    "totalCount 1e6 on one customer's profile list ($flavor): refused at once, innocent customers collected",
    async ({ flavor, fleet, ownerOf }) => {
      const upstream = await startUpstream(
        fleet({
          customers: () => ALL.map(customerRow),
          override: (req, res) => {
            if (ownerOf(req) !== BAD) return false;
            const data = rows((pageIndexOf(req) - 1) * 100, 100);
            sendJson(res, 200, { data, metadata: { totalCount: 1e6 } });
            return true;
          },
        }),
      );
      const exporter = await hostileExporter(upstream, [...ONE_ROUND, `--avepoint.api-flavor=${flavor}`]);
      const scrape = await settle(scrapeOf(exporter), ALL);
      await expectSurvived(exporter, upstream, scrape, GOOD);
      expect(successOf(scrape.samples, BAD)).toBe(0);
      expect(errorsOf(scrape.samples, BAD, "paging")).toBeGreaterThanOrEqual(1);
      expect(parseErrors(scrape.samples, "paging")).toBeGreaterThanOrEqual(1);
      expect(listRequests(upstream, ownerOf, BAD)).toBeLessThanOrEqual(HANDFUL);
    },
    60_000,
  );

  it("no total and full pages that repeat: paging ends at the first page without anything new", async () => {
    const upstream = await startUpstream(
      v3WithBadList((req, res) =>
        sendJson(res, 200, { data: rows(0, 100), metadata: { pageIndex: pageIndexOf(req), pageSize: 100 } }),
      ),
    );
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), ALL);
    await expectSurvived(exporter, upstream, scrape, ALL);
    expect(value(scrape.samples, "avepoint_customer_scan_profiles", { customer_id: BAD })).toBe(100);
    expect(series(scrape.samples, "avepoint_scan_profile_info", { customer_id: BAD })).toHaveLength(100);
    expect(listRequests(upstream, v3ProfilesOf, BAD)).toBeLessThanOrEqual(HANDFUL);
  }, 60_000);

  it("no total and full pages of new rows forever: stopped at the page cap (reason paging)", async () => {
    const upstream = await startUpstream(
      v3WithBadList((req, res) => sendJson(res, 200, { data: rows((pageIndexOf(req) - 1) * 100, 100) })),
    );
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), ALL);
    await expectSurvived(exporter, upstream, scrape, GOOD);
    expect(successOf(scrape.samples, BAD)).toBe(0);
    expect(errorsOf(scrape.samples, BAD, "paging")).toBeGreaterThanOrEqual(1);
    // 100 pages per customer's profile list, and not one more than a page or two past it.
    expect(listRequests(upstream, v3ProfilesOf, BAD)).toBeLessThanOrEqual(102);
  }, 60_000);

  it("a server ignoring pageSize (every page is the whole list): each profile once, few requests", async () => {
    const upstream = await startUpstream(
      v3WithBadList((_req, res) => sendJson(res, 200, { data: rows(0, 250), metadata: { totalCount: 250 } })),
    );
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), ALL);
    // expectSurvived fails on any duplicate series.
    await expectSurvived(exporter, upstream, scrape, ALL);
    expect(value(scrape.samples, "avepoint_customer_scan_profiles", { customer_id: BAD })).toBe(250);
    expect(series(scrape.samples, "avepoint_scan_profile_info", { customer_id: BAD })).toHaveLength(250);
    expect(listRequests(upstream, v3ProfilesOf, BAD)).toBeLessThanOrEqual(HANDFUL);
  }, 60_000);
});

describe("next links against a hostile upstream (modern)", () => {
  const modernWithBadList = (answer: (req: SeenRequest, res: ServerResponse, origin: string) => void) => {
    let origin = "";
    const route = modernFleet({
      customers: () => ALL.map(customerRow),
      override: (req, res) => {
        if (modernProfilesOf(req) !== BAD) return false;
        answer(req, res, origin);
        return true;
      },
    });
    return { route, setOrigin: (o: string) => (origin = o) };
  };
  const pageOf = (req: SeenRequest): number => Number(req.query.get("page") ?? "1");
  const profilesPath = `/partner/customers/${BAD}/scanProfiles`;

  it("a next link pointing to itself: the list ends, each profile once", async () => {
    const bad = modernWithBadList((req, res, origin) =>
      sendJson(res, 200, {
        value: [modernProfileRow(`${BAD}-p1`), modernProfileRow(`${BAD}-p2`)],
        "@odata.nextLink": `${origin}${req.target}`,
      }),
    );
    const upstream = await startUpstream(bad.route);
    bad.setOrigin(upstream.origin);
    const exporter = await hostileExporter(upstream, [...ONE_ROUND, "--avepoint.api-flavor=modern"]);
    const scrape = await settle(scrapeOf(exporter), ALL);
    await expectSurvived(exporter, upstream, scrape, ALL);
    expect(series(scrape.samples, "avepoint_scan_profile_info", { customer_id: BAD })).toHaveLength(2);
    expect(listRequests(upstream, modernProfilesOf, BAD)).toBeLessThanOrEqual(HANDFUL);
  });

  it("a next link that counts forever but repeats the same rows: the list ends at the first page without news", async () => {
    const bad = modernWithBadList((req, res, origin) =>
      sendJson(res, 200, {
        value: [modernProfileRow(`${BAD}-p1`), modernProfileRow(`${BAD}-p2`)],
        "@odata.nextLink": `${origin}${profilesPath}?page=${pageOf(req) + 1}`,
      }),
    );
    const upstream = await startUpstream(bad.route);
    bad.setOrigin(upstream.origin);
    const exporter = await hostileExporter(upstream, [...ONE_ROUND, "--avepoint.api-flavor=modern"]);
    const scrape = await settle(scrapeOf(exporter), ALL);
    await expectSurvived(exporter, upstream, scrape, ALL);
    expect(series(scrape.samples, "avepoint_scan_profile_info", { customer_id: BAD })).toHaveLength(2);
    expect(listRequests(upstream, modernProfilesOf, BAD)).toBeLessThanOrEqual(HANDFUL);
  });

  it("a next link that counts forever with new rows: stopped at the page cap (reason paging)", async () => {
    const bad = modernWithBadList((req, res, origin) =>
      sendJson(res, 200, {
        value: [modernProfileRow(`${BAD}-p${pageOf(req)}`)],
        "@odata.nextLink": `${origin}${profilesPath}?page=${pageOf(req) + 1}`,
      }),
    );
    const upstream = await startUpstream(bad.route);
    bad.setOrigin(upstream.origin);
    const exporter = await hostileExporter(upstream, [...ONE_ROUND, "--avepoint.api-flavor=modern"]);
    const scrape = await settle(scrapeOf(exporter), ALL);
    await expectSurvived(exporter, upstream, scrape, GOOD);
    expect(successOf(scrape.samples, BAD)).toBe(0);
    expect(errorsOf(scrape.samples, BAD, "paging")).toBeGreaterThanOrEqual(1);
    expect(parseErrors(scrape.samples, "paging")).toBeGreaterThanOrEqual(1);
    expect(listRequests(upstream, modernProfilesOf, BAD)).toBeLessThanOrEqual(102);
  }, 60_000);
});
