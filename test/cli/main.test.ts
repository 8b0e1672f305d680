import { afterEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "avepoint-simulator";
import { runOnce, startProcess, type RunningExporter } from "../helpers/process.js";

const SECRET = "Sup3r-S3cret-Value-42";
let simulator: Simulator | undefined;
let exporter: RunningExporter | undefined;

afterEach(async () => {
  await exporter?.stop();
  await simulator?.close();
  exporter = undefined;
  simulator = undefined;
});

describe("the exporter process", () => {
  it.each([
    ["no client ID", [], "--avepoint.client-id"],
    ["a malformed URL", ["--avepoint.client-id=a", "--avepoint.api-url=::nope"], "--avepoint.api-url"],
    ["concurrency 0", ["--avepoint.client-id=a", "--avepoint.concurrency=0"], "--avepoint.concurrency"],
  ])("exits non-zero with one line naming the setting for %s", async (_name, args, setting) => {
    const { code, stdout, stderr } = await runOnce(args, { AVEPOINT_CLIENT_SECRET: SECRET });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    const lines = stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^avepoint-exporter: config error: /);
    expect(lines[0]).toContain(setting);
  });

  it("--config.check prints the settings with the secret masked and exits 0", async () => {
    const { code, stdout } = await runOnce(["--avepoint.client-id=a", "--config.check"], {
      AVEPOINT_CLIENT_SECRET: SECRET,
    });
    expect(code).toBe(0);
    expect(stdout).toContain("configuration is valid");
    expect(stdout).toContain("<secret>");
    expect(stdout).not.toContain(SECRET);
  });

  it("serves metrics, never shows the secret, and stops cleanly on SIGTERM", async () => {
    simulator = await startSimulator({ customers: 5, profilesPerCustomer: 2, clientSecret: SECRET });
    exporter = await startProcess(
      [
        `--avepoint.api-url=${simulator.apiUrl}`,
        `--avepoint.token-url=${simulator.tokenUrl}`,
        "--avepoint.client-id=demo-client",
        "--log.level=debug",
      ],
      { AVEPOINT_CLIENT_SECRET: SECRET },
    );
    const metrics = await (await fetch(`${exporter.url}/metrics`)).text();
    expect(metrics).toMatch(/^avepoint_up 1$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes /m);
    const landing = await (await fetch(`${exporter.url}/`)).text();
    expect((await fetch(`${exporter.url}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${exporter.url}/-/ready`)).status).toBe(200);
    // A refused token makes the exporter log the identity service's answer: still no secret.
    simulator.setFaults({ tokenStatus: 401, failCustomers: {} });
    expect(await exporter.stop()).toBe(0);
    for (const text of [metrics, landing, exporter.output()]) expect(text).not.toContain(SECRET);
  });
});
