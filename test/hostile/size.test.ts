/**
 * Answers too big or too slow to read: 300 MB, endless, one byte per second. The exporter runs as
 * its own process where memory matters, so its peak resident set is measured, not guessed.
 */
import { describe, expect, it } from "vitest";
import { streamRows, trickle } from "./bodies.js";
import { MIB, settleChild, startChild } from "../helpers/child.js";
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
import { startUpstream } from "./upstream.js";
import { customerRow, profileRow, v3Fleet, v3ProfilesOf } from "./wire.js";

const GOOD = ["good-1", "good-2", "good-3"];
const BAD = "bad-1";
const ALL = [...GOOD, BAD];
const ONE_ROUND = ["--collect.min-interval=10m"];
/** The exporter's whole process, body cut at the default 10 MiB, stays well under this. */
const PEAK_RSS_MIB = 300;

describe("answers too large to read (the exporter as a process)", () => {
  it.each([
    { name: "a 300 MB answer", bytes: 300 * 1000 * 1000 },
    { name: "an endless chunked answer", bytes: null },
  ])(
    "$name is cut at the size limit, never retried; peak RSS stays under 300 MiB",
    async ({ bytes }) => {
      const progress = { sent: 0 };
      const upstream = await startUpstream(
        v3Fleet({
          customers: () => ALL.map(customerRow),
          override: async (req, res) => {
            if (v3ProfilesOf(req) !== BAD) return false;
            await streamRows(res, bytes, progress);
            return true;
          },
        }),
      );
      // The default retries stay on: a too-large answer must not be asked for again.
      const child = await startChild(upstream, ONE_ROUND);
      const scrape = await settleChild(child, (s) => reports(s.samples, ALL), 60_000);
      expect(child.killedForMemory(), `peak RSS ${Math.round(child.peakRssBytes() / MIB)} MiB`).toBe(false);
      expect(child.running.child.exitCode).toBeNull();
      expect((await child.get("/-/healthy")).status).toBe(200);
      expectValidExposition(scrape);
      for (const id of GOOD) expect(successOf(scrape.samples, id), id).toBe(1);
      expect(successOf(scrape.samples, BAD)).toBe(0);
      expect(errorsOf(scrape.samples, BAD, "too_large")).toBeGreaterThanOrEqual(1);
      expect(parseErrors(scrape.samples, "too_large")).toBeGreaterThanOrEqual(1);
      expect(listRequests(upstream, v3ProfilesOf, BAD)).toBe(1);
      expect(child.peakRssBytes() / MIB).toBeLessThan(PEAK_RSS_MIB);
      // Cut early: far less than the whole answer was sent (socket buffers hold a few MB at most).
      expect(progress.sent).toBeLessThan(100 * MIB);
      const landing = await child.get("/");
      expectNoLeak(upstream, [scrape.text, landing.text, child.running.output()]);
    },
    120_000,
  );
});

describe("answers too large or too slow (in process)", () => {
  it("--avepoint.max-response-size: an answer over it is cut (too_large), one under it is read", async () => {
    const BIG_OK = "big-ok";
    const upstream = await startUpstream(
      v3Fleet({
        customers: () => [...ALL, BIG_OK].map(customerRow),
        override: async (req, res) => {
          const owner = v3ProfilesOf(req);
          if (owner === BAD) await streamRows(res, 2 * MIB);
          else if (owner === BIG_OK) await streamRows(res, 900 * 1024);
          else return false;
          return true;
        },
      }),
    );
    const exporter = await hostileExporter(upstream, [...ONE_ROUND, "--avepoint.max-response-size=1MiB"]);
    const scrape = await settle(scrapeOf(exporter), [...ALL, BIG_OK]);
    await expectSurvived(exporter, upstream, scrape, [...GOOD, BIG_OK]);
    expect(successOf(scrape.samples, BAD)).toBe(0);
    expect(errorsOf(scrape.samples, BAD, "too_large")).toBeGreaterThanOrEqual(1);
    expect(listRequests(upstream, v3ProfilesOf, BAD)).toBe(1);
  }, 60_000);

  it("one byte per second is cut at the request timeout (total time, not idle time)", async () => {
    const body = JSON.stringify({ data: [profileRow(`${BAD}-p1`)], metadata: { totalCount: 1 } });
    const upstream = await startUpstream(
      v3Fleet({
        customers: () => ALL.map(customerRow),
        override: (req, res) => {
          if (v3ProfilesOf(req) !== BAD) return false;
          trickle(res, body, 1000);
          return true;
        },
      }),
    );
    const exporter = await hostileExporter(upstream, [
      ...ONE_ROUND,
      "--avepoint.request-timeout=2s",
      "--avepoint.max-retries=0",
    ]);
    const scrape = await settle(scrapeOf(exporter, 25), ALL, 40_000);
    await expectSurvived(exporter, upstream, scrape, GOOD);
    expect(successOf(scrape.samples, BAD)).toBe(0);
    expect(errorsOf(scrape.samples, BAD, "timeout")).toBeGreaterThanOrEqual(1);
    const slow = upstream.apiRequests().filter((r) => v3ProfilesOf(r) === BAD);
    expect(slow).toHaveLength(1);
    // Cut near the 2 s timeout: a wide bound, far below the 25 s the scrape would have allowed.
    expect(slow[0]!.closedAt).not.toBeNull();
    expect(slow[0]!.closedAt! - slow[0]!.arrivedAt).toBeLessThan(10_000);
  }, 60_000);
});
