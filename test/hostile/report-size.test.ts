/**
 * Daily reports (v3-batch /changes) of any size: read as a stream with bounded memory, cut at
 * --avepoint.max-report-size (bytes read) or --avepoint.report-timeout (time), never asked for again;
 * what is kept is bounded by --avepoint.max-response-size, and every other answer keeps that limit whole.
 */
import { describe, expect, it } from "vitest";
import { streamReport, streamRows, trickle } from "./bodies.js";
import { MIB, settleChild, startChild } from "../helpers/child.js";
import {
  errorsOf,
  expectSurvived,
  expectValidExposition,
  hostileExporter,
  parseErrors,
  reports,
  scrapeOf,
  settle,
  successOf,
  total,
} from "./harness.js";
import { value } from "../helpers/exposition.js";
import { startUpstream, type SeenRequest } from "./upstream.js";
import { customerRow, profileRow, v3BatchFleet, v3BatchProfilesOf } from "./wire.js";

const GOOD = ["good-1", "good-2"];
const ONE_ROUND = ["--collect.min-interval=10m", "--avepoint.api-flavor=v3-batch"];
const PEAK_RSS_MIB = 300;
const CHANGES =
  "GET /partner/external/v3/general/customers/{customerId}/scan-profiles/{scanProfileId}/changes";

/** The customer of a `GET …/customers/{id}/scan-profiles/{pid}/changes`, or null. */
const changesOf = (req: SeenRequest): string | null =>
  req.method === "GET" && req.segments.length === 9 && req.segments[8] === "changes"
    ? req.segments[5]!
    : null;

const changesRequests = (upstream: Awaited<ReturnType<typeof startUpstream>>, customer: string): number =>
  upstream.apiRequests().filter((r) => changesOf(r) === customer).length;

const removedOf = (samples: Parameters<typeof successOf>[0], customer: string): number | undefined =>
  value(samples, "avepoint_scan_profile_removed_objects", {
    customer_id: customer,
    profile_id: `${customer}-p1`,
  });

describe("daily reports too large to hold (the exporter as a process)", () => {
  it("a 300 MB report is read whole with bounded memory: its count kept, the customer collected", async () => {
    const BIG = "big-1";
    const upstream = await startUpstream(
      v3BatchFleet({
        customers: () => [...GOOD, BIG].map(customerRow),
        override: async (req, res) => {
          if (changesOf(req) !== BIG) return false;
          // The count says 2,999,999; the list is whatever it is: the count wins.
          await streamReport(res, req.segments[7]!, 300 * 1000 * 1000, {
            removedFromMicrosoft365OrOutofPolicy: 2_999_999,
          });
          return true;
        },
      }),
    );
    const child = await startChild(upstream, ONE_ROUND);
    const scrape = await settleChild(child, (s) => reports(s.samples, [...GOOD, BIG]), 240_000);
    expect(child.killedForMemory(), `peak RSS ${Math.round(child.peakRssBytes() / MIB)} MiB`).toBe(false);
    expectValidExposition(scrape);
    for (const id of [...GOOD, BIG]) expect(successOf(scrape.samples, id), id).toBe(1);
    expect(removedOf(scrape.samples, BIG)).toBe(2_999_999);
    expect(
      total(scrape.samples, "avepoint_api_report_read_bytes_total", { endpoint: CHANGES }),
    ).toBeGreaterThan(300e6);
    expect(child.peakRssBytes() / MIB).toBeLessThan(PEAK_RSS_MIB);
  }, 300_000);

  it("an endless report is cut at --avepoint.max-report-size (too_large, logged), never asked for again", async () => {
    const BAD = "bad-1";
    const progress = { sent: 0 };
    const upstream = await startUpstream(
      v3BatchFleet({
        customers: () => [...GOOD, BAD].map(customerRow),
        override: async (req, res) => {
          if (changesOf(req) !== BAD) return false;
          await streamReport(res, req.segments[7]!, null, {}, progress);
          return true;
        },
      }),
    );
    const child = await startChild(upstream, [...ONE_ROUND, "--avepoint.max-report-size=128MiB"]);
    const scrape = await settleChild(child, (s) => reports(s.samples, [...GOOD, BAD]), 240_000);
    expect(child.killedForMemory()).toBe(false);
    for (const id of GOOD) expect(successOf(scrape.samples, id), id).toBe(1);
    expect(successOf(scrape.samples, BAD)).toBe(0);
    expect(errorsOf(scrape.samples, BAD, "too_large")).toBeGreaterThanOrEqual(1);
    expect(parseErrors(scrape.samples, "too_large")).toBeGreaterThanOrEqual(1);
    // Both profiles of the customer may have been asked for once; neither twice.
    expect(changesRequests(upstream, BAD)).toBeLessThanOrEqual(2);
    expect(child.running.output()).toMatch(/max-report-size/);
    // Cut at the bound (plus what socket buffers held), far short of endless.
    expect(progress.sent).toBeLessThan(2 * 128 * MIB + 64 * MIB);
    expect(child.peakRssBytes() / MIB).toBeLessThan(PEAK_RSS_MIB);
  }, 300_000);
});

describe("daily reports: limits that fit each answer (in process)", () => {
  it("lists do not count against --avepoint.max-response-size; kept fields and every other answer do", async () => {
    const [LISTS, KEPT, LIST_ANSWER] = ["lists-1", "kept-1", "profiles-1"];
    const upstream = await startUpstream(
      v3BatchFleet({
        customers: () => [...GOOD, LISTS, KEPT, LIST_ANSWER].map(customerRow),
        override: async (req, res) => {
          const owner = changesOf(req);
          if (owner === LISTS)
            await streamReport(res, req.segments[7]!, 5 * MIB, { removedFromMicrosoft365OrOutofPolicy: 77 });
          else if (owner === KEPT)
            await streamReport(res, req.segments[7]!, 3 * MIB, { profileName: "x".repeat(2 * MIB) });
          else if (v3BatchProfilesOf(req) === LIST_ANSWER) await streamRows(res, 2 * MIB);
          else return false;
          return true;
        },
      }),
    );
    const exporter = await hostileExporter(upstream, [...ONE_ROUND, "--avepoint.max-response-size=1MiB"]);
    const all = [...GOOD, LISTS, KEPT, LIST_ANSWER];
    const scrape = await settle(scrapeOf(exporter), all, 60_000);
    await expectSurvived(exporter, upstream, scrape, [...GOOD, LISTS]);
    expect(removedOf(scrape.samples, LISTS)).toBe(77);
    for (const id of [KEPT, LIST_ANSWER]) {
      expect(successOf(scrape.samples, id), id).toBe(0);
      expect(errorsOf(scrape.samples, id, "too_large"), id).toBeGreaterThanOrEqual(1);
    }
    const read = total(scrape.samples, "avepoint_api_report_read_bytes_total", { endpoint: CHANGES });
    const skipped = total(scrape.samples, "avepoint_api_report_skipped_bytes_total", { endpoint: CHANGES });
    expect(read).toBeGreaterThan(5 * MIB);
    expect(skipped).toBeGreaterThan(5 * MIB * 0.95);
    expect(skipped).toBeLessThan(read);
    expect(exporter.logs.join("\n")).toMatch(/fields kept from the answer pass/);
  }, 90_000);

  it("a report trickling in is cut at --avepoint.report-timeout and not asked for again", async () => {
    const SLOW = "slow-1";
    const upstream = await startUpstream(
      v3BatchFleet({
        customers: () => [...GOOD, SLOW].map(customerRow),
        override: (req, res) => {
          if (changesOf(req) !== SLOW) return false;
          trickle(res, JSON.stringify(profileRow(req.segments[7]!)), 200);
          return true;
        },
      }),
    );
    const exporter = await hostileExporter(upstream, [...ONE_ROUND, "--avepoint.report-timeout=1s"]);
    const scrape = await settle(scrapeOf(exporter), [...GOOD, SLOW], 60_000);
    await expectSurvived(exporter, upstream, scrape, GOOD);
    expect(successOf(scrape.samples, SLOW)).toBe(0);
    expect(errorsOf(scrape.samples, SLOW, "timeout")).toBeGreaterThanOrEqual(1);
    // The default three retries stay on: a report that was arriving but too slow is not asked again.
    expect(changesRequests(upstream, SLOW)).toBeLessThanOrEqual(2);
  }, 90_000);

  it("a report that is not JSON is a parse error (body) and a failed customer", async () => {
    const BROKEN = "broken-1";
    const upstream = await startUpstream(
      v3BatchFleet({
        customers: () => [...GOOD, BROKEN].map(customerRow),
        override: (req, res) => {
          if (changesOf(req) !== BROKEN) return false;
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end('{"profileId":"x","removedFromMicrosoft365OrOutOfPolicyObjects":["a","b"');
          return true;
        },
      }),
    );
    const exporter = await hostileExporter(upstream, ONE_ROUND);
    const scrape = await settle(scrapeOf(exporter), [...GOOD, BROKEN], 60_000);
    await expectSurvived(exporter, upstream, scrape, GOOD);
    expect(successOf(scrape.samples, BROKEN)).toBe(0);
    expect(errorsOf(scrape.samples, BROKEN, "parse")).toBeGreaterThanOrEqual(1);
    expect(parseErrors(scrape.samples, "body")).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
