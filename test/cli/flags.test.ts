/** Flags as the Prometheus exporters have them: -h, --version with revision and build date, repeated listen addresses. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "avepoint-simulator";
import { runOnce, startProcess, type RunningExporter } from "../helpers/process.js";
import { waitFor } from "../helpers/wait.js";

const SECRET = "Hy7rK2mQ8sV4bN";
const BUILD_INFO_SCRIPT = join(import.meta.dirname, "../../scripts/build-info.js");
let simulator: Simulator | undefined;
let exporter: RunningExporter | undefined;

afterEach(async () => {
  await exporter?.stop();
  await simulator?.close();
  exporter = undefined;
  simulator = undefined;
});

describe("command line", () => {
  it.each([["-h"], ["--help"]])("%s prints the flags and exits 0", async (flag) => {
    const { code, stdout, stderr } = await runOnce([flag]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^usage: avepoint-exporter/);
    expect(stdout).toContain("--web.listen-address");
    expect(stdout).toContain("-h, --help");
  });

  it("--version prints the version, the revision baked in by the build and the build date", async () => {
    const { code, stdout } = await runOnce(["--version"]);
    expect(code).toBe(0);
    const info = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../dist/build-info.json"), "utf8"),
    ) as { revision: string; buildDate: string };
    expect(stdout).toMatch(/^avepoint-exporter, version \d+\.\d+\.\d+ \(revision: [^)]+\)$/m);
    expect(stdout).toContain(`(revision: ${info.revision})`);
    expect(stdout).toContain(`build date:   ${info.buildDate}`);
    expect(stdout).toContain(`node version: ${process.version}`);
  });

  it("the build takes the revision from $REVISION, else git, else unknown", () => {
    const dir = mkdtempSync(join(tmpdir(), "build-info-"));
    try {
      const build = (env: Record<string, string>) => {
        execFileSync(process.execPath, [BUILD_INFO_SCRIPT], {
          cwd: dir,
          // No git repository above a temporary directory: git has nothing to say.
          env: { PATH: process.env.PATH ?? "", GIT_CEILING_DIRECTORIES: tmpdir(), ...env },
        });
        return JSON.parse(readFileSync(join(dir, "dist/build-info.json"), "utf8")) as Record<string, string>;
      };
      expect(build({ REVISION: "0123abcd", SOURCE_DATE_EPOCH: "1700000000" })).toEqual({
        revision: "0123abcd",
        buildDate: "2023-11-14T22:13:20Z",
      });
      expect(build({}).revision).toBe("unknown");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a flag given twice is refused, naming it", async () => {
    const { code, stderr } = await runOnce(
      ["--avepoint.client-id=a", "--log.level=info", "--log.level=debug"],
      { AVEPOINT_CLIENT_SECRET: SECRET },
    );
    expect(code).toBe(2);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toContain("--log.level: given more than once");
  });

  it("listens on every --web.listen-address; both serve, and build info carries the revision", async () => {
    simulator = await startSimulator({ customers: 2, profilesPerCustomer: 1, clientSecret: SECRET });
    const running = await startProcess(
      [
        `--avepoint.api-url=${simulator.apiUrl}`,
        `--avepoint.token-url=${simulator.tokenUrl}`,
        "--avepoint.client-id=demo-client",
        "--web.listen-address=127.0.0.1:0",
      ],
      { AVEPOINT_CLIENT_SECRET: SECRET },
    );
    exporter = running;
    // The helper waits for the first "listening" line; the second follows it at once.
    const listening = (): string[] =>
      [...running.output().matchAll(/address=(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!);
    await waitFor(() => listening().length >= 2, 20);
    const urls = listening();
    expect(urls).toHaveLength(2);
    expect(new Set(urls).size).toBe(2);
    for (const url of urls) {
      expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^avepoint_up 1$/m);
      expect(metrics).toMatch(
        /^avepoint_exporter_build_info\{version="[^"]+",revision="[^"]+",build_date="[^"]+",node_version="v[^"]+"\} 1$/m,
      );
    }
    expect(await exporter.stop()).toBe(0);
  });

  it("an address already in use stops the start with one line", async () => {
    simulator = await startSimulator({ customers: 1, profilesPerCustomer: 1, clientSecret: SECRET });
    const port = new URL(simulator.apiUrl).port;
    const { code, stderr } = await runOnce(
      [
        "--avepoint.client-id=a",
        "--web.listen-address=127.0.0.1:0",
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { AVEPOINT_CLIENT_SECRET: SECRET },
    );
    expect(code).toBe(2);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toContain("cannot listen on --web.listen-address");
  });
});
