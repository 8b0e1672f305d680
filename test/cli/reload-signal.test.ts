/** SIGHUP and POST /-/reload on the real process: what changed applies, a broken file is refused. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "avepoint-simulator";
import { parseExposition, series, value } from "../helpers/exposition.js";
import { startProcess, type RunningExporter } from "../helpers/process.js";
import { waitFor } from "../helpers/wait.js";

const SECRET = "Zq8wX3vT9pL2mN";
let simulator: Simulator | undefined;
let exporter: RunningExporter | undefined;
let dir = "";

afterEach(async () => {
  await exporter?.stop();
  await simulator?.close();
  exporter = undefined;
  simulator = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Resolves once the process has written `text` `times` times in all. */
const logged = (process: RunningExporter, text: string, times = 1): Promise<void> =>
  waitFor(() => process.output().split(text).length - 1 >= times, 20);

const scrape = async (url: string) => parseExposition(await (await fetch(`${url}/metrics`)).text());
const customers = (samples: ReturnType<typeof parseExposition>): string[] =>
  series(samples, "avepoint_customer_info")
    .map((s) => s.labels.customer_id!)
    .sort();

describe("reload of the running process", () => {
  it("SIGHUP applies a changed exclusion and log level; a broken file is refused and the old settings stay", async () => {
    dir = mkdtempSync(join(tmpdir(), "reload-signal-"));
    const config = join(dir, "config.yml");
    writeFileSync(config, "log:\n  level: info\n");
    simulator = await startSimulator({ customers: 3, profilesPerCustomer: 1, clientSecret: SECRET });
    exporter = await startProcess(
      [
        `--avepoint.api-url=${simulator.apiUrl}`,
        `--avepoint.token-url=${simulator.tokenUrl}`,
        "--avepoint.client-id=demo-client",
        `--config.file=${config}`,
        "--web.enable-lifecycle=true",
      ],
      { AVEPOINT_CLIENT_SECRET: SECRET },
    );
    const all = customers(await scrape(exporter.url));
    expect(all).toHaveLength(3);
    expect(exporter.output()).not.toContain("level=debug");

    writeFileSync(config, `log:\n  level: debug\ncollect:\n  exclude-customers: [${all[0]}]\n`);
    exporter.child.kill("SIGHUP");
    await logged(exporter, 'msg="Reloaded: collect.exclude-customers, log.level"');
    expect(exporter.output()).toContain("trigger=SIGHUP");
    const reloaded = await scrape(exporter.url);
    expect(customers(reloaded)).toEqual(all.slice(1));
    expect(value(reloaded, "avepoint_exporter_config_last_reload_successful")).toBe(1);
    expect(exporter.output()).toContain("level=debug");

    writeFileSync(config, "log:\n  level: loud\n");
    exporter.child.kill("SIGHUP");
    await logged(exporter, "reload refused");
    const refusal = exporter
      .output()
      .split("\n")
      .find((line) => line.includes("reload refused"));
    expect(refusal).toContain(`log.level in ${config}: unknown value \\"loud\\"`);
    const after = await scrape(exporter.url);
    expect(customers(after)).toEqual(all.slice(1));
    expect(value(after, "avepoint_exporter_config_last_reload_successful")).toBe(0);

    // And over HTTP, once the file is fixed.
    writeFileSync(config, "log:\n  level: info\n");
    const answer = await fetch(`${exporter.url}/-/reload`, { method: "POST" });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe("Reloaded: collect.exclude-customers, log.level\n");
    const fixed = await scrape(exporter.url);
    expect(customers(fixed)).toEqual(all);
    expect(value(fixed, "avepoint_exporter_config_last_reload_successful")).toBe(1);
    expect(await exporter.stop()).toBe(0);
  });
});
