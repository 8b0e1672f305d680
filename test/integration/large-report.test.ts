/**
 * The day of a big clean-up: daily reports (v3-batch /changes) whose object lists are as long as
 * their counts — a quarter of a million and a million removed objects, about 25 and 100 MB — are
 * read to the exact count by the exporter as a real process, with its peak resident set measured
 * from /proc (VmHWM), on the default settings.
 */
import { describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "avepoint-simulator";
import { value } from "../helpers/exposition.js";
import { MIB, settleChild, startChild } from "../helpers/child.js";
import { SECRET, reports, successOf, total } from "../hostile/harness.js";

const PEAK_RSS_MIB = 300;
const CHANGES =
  "GET /partner/external/v3/general/customers/{customerId}/scan-profiles/{scanProfileId}/changes";

describe("a big clean-up day (v3-batch /changes of any size)", () => {
  it("250,000 and 1,000,000 removed objects: exact counts, customers collected, peak RSS under 300 MiB", async () => {
    const sim: Simulator = await startSimulator({
      flavor: "v3-batch",
      customers: 3,
      profilesPerCustomer: 2,
      seed: 24,
      clientSecret: SECRET,
      objectLists: "full",
    });
    try {
      const [big, quarter, calm] = sim.customers();
      const huge = sim.stageCleanupDay(1_000_000, big!.id);
      const large = sim.stageCleanupDay(250_000, quarter!.id);
      const ids = [big!.id, quarter!.id, calm!.id];

      const child = await startChild(sim, ["--avepoint.api-flavor=v3-batch", "--collect.min-interval=10m"]);
      const scrape = await settleChild(child, (s) => reports(s.samples, ids), 240_000);
      const peak = child.peakRssBytes();
      expect(child.killedForMemory(), `peak RSS ${Math.round(peak / MIB)} MiB`).toBe(false);

      for (const id of ids) expect(successOf(scrape.samples, id), id).toBe(1);
      const removed = (customer_id: string, profile_id: string) =>
        value(scrape.samples, "avepoint_scan_profile_removed_objects", { customer_id, profile_id });
      expect(removed(big!.id, huge.profileId)).toBe(1_000_000);
      expect(removed(quarter!.id, large.profileId)).toBe(250_000);
      // Every other count is the simulator's too (their lists as long as they are).
      for (const customer of sim.customers())
        for (const p of sim.profiles(customer.id)) {
          const labels = { customer_id: customer.id, profile_id: p.profileId };
          expect(removed(customer.id, p.profileId)).toBe(p.removedFromMicrosoft365OrOutofPolicy);
          expect(value(scrape.samples, "avepoint_scan_profile_moved_objects", labels)).toBe(
            p.movedToAnotherContainer,
          );
          expect(value(scrape.samples, "avepoint_scan_profile_new_registered_objects", labels)).toBe(
            p.newRegisteredContentCount,
          );
        }
      // The whole of each report was read (about 100 bytes an object), nearly all of it skipped.
      const read = total(scrape.samples, "avepoint_api_report_read_bytes_total", { endpoint: CHANGES });
      const skipped = total(scrape.samples, "avepoint_api_report_skipped_bytes_total", { endpoint: CHANGES });
      expect(read).toBeGreaterThan(1_250_000 * 90);
      expect(skipped).toBeGreaterThan(read * 0.99);
      expect(total(scrape.samples, "avepoint_api_parse_errors_total")).toBe(0);
      process.stdout.write(
        `large reports: ${Math.round(read / 1e6)} MB read, peak RSS ${Math.round(peak / MIB)} MiB\n`,
      );
      expect(peak / MIB, `peak RSS ${Math.round(peak / MIB)} MiB`).toBeLessThan(PEAK_RSS_MIB);
    } finally {
      await sim.close();
    }
  }, 300_000);
});
