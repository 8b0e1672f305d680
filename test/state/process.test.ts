/**
 * The kept state in the real program: two processes never share a directory, and a process killed
 * in the middle of a round (SIGKILL: no shutdown save) leaves a state the next start serves at its
 * first scrape.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait.js";
import { describe, expect, it } from "vitest";
import { STATE_FILE } from "../../src/state/file.js";
import { SECRET, testSimulator } from "../helpers/exporter.js";
import { series, parseExposition } from "../helpers/exposition.js";
import { runOnce, testProcess } from "../helpers/process.js";
import { tempDir } from "./fixtures.js";

const argsFor = (sim: { apiUrl: string; tokenUrl: string }, dir: string, more: string[] = []) => [
  `--avepoint.api-url=${sim.apiUrl}`,
  `--avepoint.token-url=${sim.tokenUrl}`,
  "--avepoint.client-id=demo-client",
  "--avepoint.adaptive-rate=false",
  `--storage.path=${dir}`,
  ...more,
];
const env = { AVEPOINT_CLIENT_SECRET: SECRET };

/** Collected customers in the state file, once a save has written some (polled: the other process saves). */
const savedCustomers = async (dir: string, atLeast: number): Promise<number> => {
  const file = join(dir, STATE_FILE);
  const collected = (): number =>
    existsSync(file)
      ? readFileSync(file, "utf8")
          .split("\n")
          .filter((line) => /"lastSuccess":\d/.test(line)).length
      : 0;
  await waitFor(() => collected() >= atLeast, 50);
  return collected();
};

describe("the kept state in the running program", () => {
  it("refuses a second process on the same directory with one line and a non-zero exit", async () => {
    const sim = await testSimulator({ customers: 2, profilesPerCustomer: 1 });
    const dir = tempDir();
    const first = await testProcess(argsFor(sim, dir), env);
    const second = await runOnce(["--web.listen-address=127.0.0.1:0", ...argsFor(sim, dir)], env);
    expect(second.code).not.toBe(0);
    const lines = second.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`is in use by process ${first.child.pid}`);
    expect(second.stderr).not.toContain(SECRET);
  });

  it("after a SIGKILL in the middle of a round, serves what was saved at the next start's first scrape", async () => {
    // 60 customers at 10 requests/s: a round of several seconds, saved every second.
    const sim = await testSimulator({ customers: 60, profilesPerCustomer: 2 });
    const dir = tempDir();
    const first = await testProcess(
      argsFor(sim, dir, [
        "--avepoint.rate-limit=10",
        "--storage.save-interval=1s",
        "--avepoint.concurrency=1",
      ]),
      env,
    );
    const saved = await savedCustomers(dir, 5);
    first.child.kill("SIGKILL");
    await first.stop();
    expect(saved).toBeLessThan(60);

    const second = await testProcess(
      argsFor(sim, dir, ["--avepoint.rate-limit=10", "--avepoint.concurrency=1"]),
      env,
    );
    expect(second.output()).toContain("took over the lock");
    // A scrape that must be answered within a second: the new round cannot have collected much by then.
    const response = await fetch(`${second.url}/metrics`, {
      headers: { "X-Prometheus-Scrape-Timeout-Seconds": "1" },
    });
    const samples = parseExposition(await response.text());
    const served = series(samples, "avepoint_customer_last_success_timestamp_seconds").length;
    expect(served).toBeGreaterThanOrEqual(saved);
    expect(series(samples, "avepoint_state_restore_result", { result: "restored" })[0]?.value).toBe(1);
  });
});
