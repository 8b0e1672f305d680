/**
 * A customer list that changes on every collection, 200 times: the series a customer leaves behind
 * go with it, in every family, so the exposition is bounded by the current list, not by history.
 */
import { describe, expect, it } from "vitest";
import { seriesCount } from "../helpers/exposition-check.js";
import {
  customerIdsIn,
  errorsOf,
  expectSurvived,
  expectValidExposition,
  hostileExporter,
  scrapeOf,
  settle,
  successOf,
  type Scrape,
} from "./harness.js";
import { sendJson, startUpstream } from "./upstream.js";
import { customerRow, v3Fleet, v3ProfilesOf } from "./wire.js";

const STABLE = "stable-1";
const ROUNDS = 200;

/** Generation g lists STABLE and two customers of its own; the second always fails (HTTP 500). */
const listOf = (g: number) => ({
  all: [STABLE, `gen-${g}-ok`, `gen-${g}-failing`],
  failing: `gen-${g}-failing`,
});

describe("a changing customer list", () => {
  it("200 collections of different customers: series bounded by the current list", async () => {
    let generation = 0;
    const upstream = await startUpstream(
      v3Fleet({
        customers: () => listOf(generation).all.map(customerRow),
        override: (req, res) => {
          const owner = v3ProfilesOf(req);
          if (owner === null || owner !== listOf(generation).failing) return false;
          sendJson(res, 500, { error: "internal" });
          return true;
        },
      }),
    );
    // Every scrape collects again; a failing customer's values would otherwise be kept an hour.
    const exporter = await hostileExporter(upstream, ["--avepoint.max-retries=0"]);
    const counts: number[] = [];
    let scrape: Scrape | null = null;
    for (; generation < ROUNDS; generation++) {
      const { all, failing } = listOf(generation);
      scrape = await settle(scrapeOf(exporter), all);
      expectValidExposition(scrape);
      expect(successOf(scrape.samples, failing), `generation ${generation}`).toBe(0);
      expect(
        errorsOf(scrape.samples, failing, "http_5xx"),
        `generation ${generation}`,
      ).toBeGreaterThanOrEqual(1);
      // Nothing of an earlier generation is left in any family.
      expect([...customerIdsIn(scrape.samples)].sort(), `generation ${generation}`).toEqual([...all].sort());
      counts.push(seriesCount(scrape.text));
    }
    const final = scrape!;
    await expectSurvived(exporter, upstream, final, [STABLE, listOf(ROUNDS - 1).all[1]!]);
    const errorSeries = final.samples.filter((s) => s.name === "avepoint_customer_collect_errors_total");
    expect(errorSeries.length).toBeLessThanOrEqual(listOf(0).all.length);
    // The exporter's own families (requests by endpoint and code, histograms) settle within a few
    // collections; after that the total may not grow with the number of customers ever seen.
    expect(Math.max(...counts.slice(10))).toBeLessThanOrEqual(counts[9]! + 5);
  }, 180_000);
});
