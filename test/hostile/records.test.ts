/**
 * Rows and bodies that are wrong: duplicate IDs, rows without an ID or with a float count, dates
 * that do not exist, HTML and `null` where JSON lists belong, IDs that are dot segments, redirects.
 * A bad row costs that row, a bad body that list; nothing else.
 */
import { describe, expect, it } from "vitest";
import { series, value } from "../helpers/exposition.js";
import {
  errorsOf,
  expectSurvived,
  hostileExporter,
  parseErrors,
  scrapeOf,
  settle,
  successOf,
} from "./harness.js";
import { sendJson, sendText, startBystander, startUpstream, type SeenRequest } from "./upstream.js";
import {
  customerRow,
  goodProfileIds,
  modernFleet,
  modernProfileRow,
  modernProfilesOf,
  profileRow,
  REPORT_SECONDS,
  V3_CUSTOMERS,
  v3BatchFleet,
  v3BatchProfilesOf,
  v3Fleet,
  v3Page,
  v3ProfilesOf,
  type Override,
} from "./wire.js";

const GOOD = ["good-1", "good-2", "good-3"];
const BAD = "bad-1";
const ONE_ROUND = ["--collect.min-interval=10m", "--avepoint.max-retries=0"];

/** Answers BAD's v3 profile list with these rows. */
const badRows =
  (rows: readonly unknown[]): Override =>
  (req, res) => {
    if (v3ProfilesOf(req) !== BAD) return false;
    sendJson(res, 200, v3Page(rows, req));
    return true;
  };

const profileIdsOf = (samples: Parameters<typeof series>[0], customerId: string): string[] =>
  series(samples, "avepoint_scan_profile_info", { customer_id: customerId })
    .map((s) => s.labels.profile_id ?? "")
    .sort();

describe("records against a hostile upstream (v3)", () => {
  it("duplicate IDs: the first row wins, no duplicate series, the repeat counted", async () => {
    const customers = [...GOOD, BAD].map(customerRow);
    customers.push({ ...customerRow(GOOD[0]), organization: "Second Org" });
    const upstream = await startUpstream(
      v3Fleet({
        customers: () => customers,
        override: badRows([
          profileRow(`${BAD}-p1`, { newRegisteredContentCount: 3 }),
          profileRow(`${BAD}-p2`),
          profileRow(`${BAD}-p1`, { newRegisteredContentCount: 99 }),
        ]),
      }),
    );
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), [...GOOD, BAD]);
    await expectSurvived(exporter, upstream, scrape, [...GOOD, BAD]);
    expect(profileIdsOf(scrape.samples, BAD)).toEqual([`${BAD}-p1`, `${BAD}-p2`]);
    expect(
      value(scrape.samples, "avepoint_scan_profile_new_registered_objects", {
        customer_id: BAD,
        profile_id: `${BAD}-p1`,
      }),
    ).toBe(3);
    const info = series(scrape.samples, "avepoint_customer_info", { customer_id: GOOD[0]! });
    expect(info.map((s) => s.labels.customer_name)).toEqual([`Org ${GOOD[0]}`]);
    expect(parseErrors(scrape.samples, "duplicate")).toBeGreaterThanOrEqual(1);
  });

  it("bad rows are skipped and counted, their siblings kept", async () => {
    const customers: unknown[] = [
      ...GOOD.map(customerRow),
      customerRow(BAD),
      { organization: "no id at all", jobStatus: 1 },
      customerRow(""),
      null,
      "not an object",
    ];
    const upstream = await startUpstream(
      v3Fleet({
        customers: () => customers,
        override: badRows([
          profileRow(`${BAD}-p1`),
          profileRow(""),
          profileRow(`${BAD}-float`, { newRegisteredContentCount: 1.5 }),
          profileRow(`${BAD}-p2`),
        ]),
      }),
    );
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), [...GOOD, BAD]);
    await expectSurvived(exporter, upstream, scrape, [...GOOD, BAD]);
    expect(value(scrape.samples, "avepoint_up")).toBe(1);
    expect(profileIdsOf(scrape.samples, BAD)).toEqual([`${BAD}-p1`, `${BAD}-p2`]);
    expect(value(scrape.samples, "avepoint_customer_scan_profiles", { customer_id: BAD })).toBe(2);
    // Four customer rows and two profile rows could not be read.
    expect(parseErrors(scrape.samples, "record")).toBeGreaterThanOrEqual(6);
  });

  it("dates that do not exist are refused, not rolled over; the row is skipped, its siblings kept", async () => {
    const upstream = await startUpstream(
      v3Fleet({
        customers: () => [...GOOD, BAD].map(customerRow),
        override: badRows([
          profileRow(`${BAD}-p1`),
          profileRow(`${BAD}-feb30-us`, { lastUpdateTime: "02/30/2024 25:61:00" }),
          profileRow(`${BAD}-feb30-iso`, { modifiedTime: "2024-02-30T00:00:00Z" }),
          profileRow(`${BAD}-month13`, { lastUpdateTime: "13/01/2024 10:00:00" }),
          profileRow(`${BAD}-words`, { lastUpdateTime: "yesterday" }),
          profileRow(`${BAD}-p2`),
        ]),
      }),
    );
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), [...GOOD, BAD]);
    await expectSurvived(exporter, upstream, scrape, [...GOOD, BAD]);
    expect(profileIdsOf(scrape.samples, BAD)).toEqual([`${BAD}-p1`, `${BAD}-p2`]);
    const reported = series(scrape.samples, "avepoint_scan_profile_daily_report_timestamp_seconds", {
      customer_id: BAD,
    });
    expect(reported.map((s) => s.value)).toEqual([REPORT_SECONDS, REPORT_SECONDS]);
    expect(parseErrors(scrape.samples, "record")).toBeGreaterThanOrEqual(4);
  });

  it("HTML and `null` bodies fail their list (reason parse), and an HTML page echoing the token leaks nowhere", async () => {
    const HTML = "bad-html";
    const NULL = "bad-null";
    const upstream = await startUpstream(
      v3Fleet({
        customers: () => [...GOOD, HTML, NULL].map(customerRow),
        override: (req, res) => {
          const owner = v3ProfilesOf(req);
          if (owner === HTML) {
            // A broken proxy's error page that shows the request it got, token and all.
            const page = `<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><pre>Authorization: ${req.authorization ?? ""}</pre></body></html>`;
            sendText(res, 200, "text/html; charset=utf-8", page);
            return true;
          }
          if (owner === NULL) {
            sendText(res, 200, "application/json", "null");
            return true;
          }
          return false;
        },
      }),
    );
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), [...GOOD, HTML, NULL]);
    await expectSurvived(exporter, upstream, scrape, GOOD);
    for (const id of [HTML, NULL]) {
      expect(successOf(scrape.samples, id), id).toBe(0);
      expect(errorsOf(scrape.samples, id, "parse"), id).toBeGreaterThanOrEqual(1);
    }
    expect(parseErrors(scrape.samples, "body")).toBeGreaterThanOrEqual(2);
  });

  it("a `null` customer list: avepoint_up 0, /metrics still 200 and valid", async () => {
    const upstream = await startUpstream((_req, res) => sendText(res, 200, "application/json", "null"));
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), []);
    await expectSurvived(exporter, upstream, scrape, []);
    expect(value(scrape.samples, "avepoint_up")).toBe(0);
    expect(parseErrors(scrape.samples, "body")).toBeGreaterThanOrEqual(1);
  });

  it("customer IDs `.` and `..` never leave their path segment; other odd IDs are encoded", async () => {
    const ODD = ["../x", "x?y#z", "a/b"];
    // Encoded it is harmless; whether it is collected or refused as a dot segment is not asked here.
    const ENCODED_DOTS = "%2e%2e";
    const upstream = await startUpstream(
      v3Fleet({ customers: () => [...GOOD, ...ODD, ENCODED_DOTS, ".", ".."].map(customerRow) }),
    );
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), [...GOOD, ...ODD]);
    await expectSurvived(exporter, upstream, scrape, [...GOOD, ...ODD]);
    for (const id of [".", ".."]) expect(successOf(scrape.samples, id), id).toBeUndefined();
    expect(parseErrors(scrape.samples, "record")).toBeGreaterThanOrEqual(2);
    for (const id of ODD) expect(profileIdsOf(scrape.samples, id), id).toEqual(goodProfileIds(id).sort());
    // Every request is the customer list or the profile list of a listed customer, nothing else.
    const listed = new Set([...GOOD, ...ODD, ENCODED_DOTS]);
    const stray = upstream
      .apiRequests()
      .filter(
        (r: SeenRequest) =>
          !(r.segments.length === V3_CUSTOMERS.length && V3_CUSTOMERS.every((s, i) => r.segments[i] === s)) &&
          !listed.has(v3ProfilesOf(r) ?? "."),
      );
    expect(stray.map((r) => r.target)).toEqual([]);
  });

  it("a redirect is not followed (reason http_3xx) and nothing reaches where it points", async () => {
    const bystander = await startBystander();
    const upstream = await startUpstream(
      v3Fleet({
        customers: () => [...GOOD, BAD].map(customerRow),
        override: (req, res) => {
          if (v3ProfilesOf(req) !== BAD) return false;
          res.writeHead(302, { Location: `${bystander.origin}${req.target}` });
          res.end();
          return true;
        },
      }),
    );
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), [...GOOD, BAD]);
    await expectSurvived(exporter, upstream, scrape, GOOD);
    expect(successOf(scrape.samples, BAD)).toBe(0);
    expect(errorsOf(scrape.samples, BAD, "http_3xx")).toBeGreaterThanOrEqual(1);
    expect(bystander.requests.map((r) => r.target)).toEqual([]);
  });
});

describe("records against a hostile upstream (modern)", () => {
  it("profile IDs `.` and `..` are skipped: no daily request leaves its segment, the siblings are kept", async () => {
    const BAD_IDS = [`${BAD}-p1`, ".", "..", "../y", ""];
    const upstream = await startUpstream(
      modernFleet({
        customers: () => [...GOOD, BAD].map(customerRow),
        override: (req, res) => {
          if (modernProfilesOf(req) !== BAD) return false;
          sendJson(res, 200, { value: BAD_IDS.map(modernProfileRow) });
          return true;
        },
      }),
    );
    const exporter = await hostileExporter(upstream, [...ONE_ROUND, "--avepoint.api-flavor=modern"]);
    const scrape = await settle(scrapeOf(exporter), [...GOOD, BAD]);
    await expectSurvived(exporter, upstream, scrape, [...GOOD, BAD]);
    expect(profileIdsOf(scrape.samples, BAD)).toEqual([`${BAD}-p1`, "../y"].sort());
    expect(parseErrors(scrape.samples, "record")).toBeGreaterThanOrEqual(3);
    // Daily requests: /partner/Customers/{id}/ScanProfilesDailyNew/ProfileId/{pid}, pid one of the good ones.
    const daily = upstream.apiRequests().filter((r) => r.segments.length >= 3 && r.segments[2] === BAD);
    for (const r of daily) {
      const s = r.segments.map((x) => x.toLowerCase());
      const isList = s.length === 4 && s[3] === "scanprofiles";
      const isDaily =
        s.length === 6 && s[3] === "scanprofilesdailynew" && [`${BAD}-p1`, "../y"].includes(r.segments[5]!);
      const isSummary =
        s.length === 6 &&
        s[3] === "scanprofiles" &&
        s[5] === "dailynewsummary" &&
        [`${BAD}-p1`, "../y"].includes(r.segments[4]!);
      expect(isList || isDaily || isSummary, r.target).toBe(true);
    }
    // Nothing went to the customer's own path or above it.
    const escaped = upstream
      .apiRequests()
      .filter(
        (r) =>
          r.segments.length < 4 && !(r.segments.length === 2 && r.segments[1]?.toLowerCase() === "customers"),
      );
    expect(escaped.map((r) => r.target)).toEqual([]);
  });
});

describe("records against a hostile upstream (v3-batch)", () => {
  it("profile IDs `.` and `..` are skipped: no /changes request leaves its segment, the siblings are kept", async () => {
    const KEPT = [`${BAD}-p1`, "../y", "a/b"];
    const upstream = await startUpstream(
      v3BatchFleet({
        customers: () => [...GOOD, BAD].map(customerRow),
        override: (req, res) => {
          if (v3BatchProfilesOf(req) !== BAD) return false;
          sendJson(res, 200, v3Page([...KEPT, ".", "..", ""].map(modernProfileRow), req));
          return true;
        },
      }),
    );
    const exporter = await hostileExporter(upstream, [...ONE_ROUND, "--avepoint.api-flavor=v3-batch"]);
    const scrape = await settle(scrapeOf(exporter), [...GOOD, BAD]);
    await expectSurvived(exporter, upstream, scrape, [...GOOD, BAD]);
    expect(profileIdsOf(scrape.samples, BAD)).toEqual([...KEPT].sort());
    expect(parseErrors(scrape.samples, "record")).toBeGreaterThanOrEqual(3);
    // Every request: the customer list, a profile list, or the /changes of a kept profile.
    const stray = upstream.apiRequests().filter((r) => {
      const s = r.segments;
      if (!V3_CUSTOMERS.every((x, i) => s[i] === x)) return true;
      if (s.length === 6 && s[5] === "batch") return false;
      if (v3BatchProfilesOf(r) !== null) return false;
      const isChanges = s.length === 9 && s[6] === "scan-profiles" && s[8] === "changes";
      return !(isChanges && (s[5] !== BAD || KEPT.includes(s[7]!)));
    });
    expect(stray.map((r) => r.target)).toEqual([]);
  });
});
