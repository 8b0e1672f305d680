/**
 * An exporter restarted on the same --storage.path serves what the previous one collected, from the
 * first scrape, with its true age; a state it cannot trust is set aside, logged and counted.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STATE_FILE } from "../../src/state/file.js";
import { exporterFor, testSimulator, type TestExporter } from "../helpers/exporter.js";
import { series, value } from "../helpers/exposition.js";
import { tempDir } from "./fixtures.js";

const PROFILE_STATUS = "avepoint_scan_profile_last_scan_status";
const LAST_SUCCESS = "avepoint_customer_last_success_timestamp_seconds";

/** An exporter that has collected one whole round and been stopped (which saves). */
const collectedAndStopped = async (
  sim: { apiUrl: string; tokenUrl: string },
  dir: string,
  argv: string[] = [],
): Promise<{ scrape: Awaited<ReturnType<TestExporter["scrape"]>>; exporter: TestExporter }> => {
  const first = await exporterFor(sim, [`--storage.path=${dir}`, ...argv]);
  first.rounds.start();
  await first.rounds.idle();
  const scrape = await first.scrape();
  await first.close();
  return { scrape, exporter: first };
};

const lines = (exporter: TestExporter, component: string) =>
  exporter.logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((l) => l.component === component);

describe("a restart with a kept state", () => {
  it("serves every customer's kept data and age at the first scrape, even with AvePoint unreachable", async () => {
    const sim = await testSimulator({ customers: 12, profilesPerCustomer: 3 });
    const dir = tempDir();
    const { scrape: before } = await collectedAndStopped(sim, dir);
    expect(series(before.samples, PROFILE_STATUS)).toHaveLength(36);
    await sim.close();

    const second = await exporterFor(sim, [`--storage.path=${dir}`, "--avepoint.max-retries=0"]);
    try {
      expect(second.rounds.ready).toBe(true);
      const after = await second.scrape();
      expect(after.status).toBe(200);
      expect(series(after.samples, PROFILE_STATUS)).toEqual(series(before.samples, PROFILE_STATUS));
      expect(series(after.samples, LAST_SUCCESS)).toEqual(series(before.samples, LAST_SUCCESS));
      expect(value(after.samples, "avepoint_state_restore_result", { result: "restored" })).toBe(1);
      expect(value(after.samples, "avepoint_state_restored_customers")).toBe(12);
      const ready = await second.app.inject({ method: "GET", url: "/-/ready" });
      expect(ready.statusCode).toBe(200);
    } finally {
      await second.close();
    }
  });

  it("restores only the customers the current selection collects", async () => {
    const sim = await testSimulator({ customers: 6, profilesPerCustomer: 1 });
    const dir = tempDir();
    await collectedAndStopped(sim, dir);
    const excluded = sim.customers()[0]!.id;
    const second = await exporterFor(sim, [
      `--storage.path=${dir}`,
      `--collect.exclude-customers=${excluded}`,
    ]);
    try {
      const ids = second.rounds.view().customers.map((c) => c.customer.id);
      expect(ids).toHaveLength(5);
      expect(ids).not.toContain(excluded);
      expect(lines(second, "state").find((l) => l.msg === "state restored")).toMatchObject({
        customers: 5,
        not_selected: 1,
      });
    } finally {
      await second.close();
    }
  });

  it("keeps the learned request rate", async () => {
    const sim = await testSimulator({ customers: 2, profilesPerCustomer: 1 });
    const dir = tempDir();
    const first = await exporterFor(sim, [`--storage.path=${dir}`, "--avepoint.adaptive-rate=true"]);
    const rate = (await first.scrape()).samples;
    const learned = value(rate, "avepoint_api_rate_limit_requests_per_second")!;
    await first.close();
    const second = await exporterFor(sim, [
      `--storage.path=${dir}`,
      "--avepoint.adaptive-rate=true",
      "--collect.min-interval=1h",
    ]);
    try {
      // No round starts (min-interval kept across the restart): the rate is the one restored.
      const samples = (await second.scrape()).samples;
      expect(value(samples, "avepoint_api_rate_limit_requests_per_second")).toBe(learned);
      expect(value(samples, "avepoint_collect_round_running")).toBe(0);
    } finally {
      await second.close();
    }
  });

  it("sets a corrupt state aside: one line naming the file and the reason, a metric, a clean start", async () => {
    const sim = await testSimulator({ customers: 3, profilesPerCustomer: 1 });
    const dir = tempDir();
    await collectedAndStopped(sim, dir);
    const file = join(dir, STATE_FILE);
    writeFileSync(file, readFileSync(file, "utf8").replace('"profiles":[', '"profiles": ['));
    const second = await exporterFor(sim, [`--storage.path=${dir}`]);
    try {
      expect(second.rounds.ready).toBe(false);
      expect(second.rounds.view().customers).toHaveLength(0);
      const errors = lines(second, "state").filter((l) => l.level === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ file, reason: "corrupt", msg: "state not restored; starting clean" });
      const samples = (await second.scrape()).samples;
      expect(value(samples, "avepoint_state_restore_result", { result: "corrupt" })).toBe(1);
      expect(value(samples, "avepoint_state_restore_result", { result: "restored" })).toBe(0);
      expect(series(samples, PROFILE_STATUS)).toHaveLength(3);
    } finally {
      await second.close();
    }
    // The next start trusts the state the clean start saved.
    const third = await exporterFor(sim, [`--storage.path=${dir}`]);
    await third.close();
    expect(lines(third, "state").find((l) => l.msg === "state restored")).toMatchObject({ customers: 3 });
  });

  it("keeps serving when saves fail, logging the cause once and counting each failure", async () => {
    const sim = await testSimulator({ customers: 2, profilesPerCustomer: 1 });
    const dir = tempDir();
    const exporter = await exporterFor(sim, [`--storage.path=${dir}`]);
    try {
      // Where the temporary file goes, a directory: every save fails.
      mkdirSync(join(dir, `.${STATE_FILE}.${process.pid}.tmp`));
      for (let round = 0; round < 3; round++) {
        exporter.rounds.start();
        await exporter.rounds.idle();
        await exporter.state?.save();
      }
      const scrape = await exporter.scrape();
      expect(scrape.status).toBe(200);
      expect(
        value(scrape.samples, "avepoint_state_save_failures_total", { reason: "io" }),
      ).toBeGreaterThanOrEqual(3);
      expect(value(scrape.samples, "avepoint_state_last_save_timestamp_seconds")).toBe(0);
      expect(
        lines(exporter, "state").filter(
          (l) => l.msg === "cannot save the state; still serving, will try again",
        ),
      ).toHaveLength(1);
    } finally {
      await exporter.close();
    }
  });

  it("keeps nothing with --storage.path= (empty)", async () => {
    const sim = await testSimulator({ customers: 1, profilesPerCustomer: 1 });
    const exporter = await exporterFor(sim, ["--storage.path="]);
    try {
      expect(exporter.state).toBeNull();
      expect(
        value((await exporter.scrape()).samples, "avepoint_state_restore_result", { result: "disabled" }),
      ).toBe(1);
    } finally {
      await exporter.close();
    }
  });
});
