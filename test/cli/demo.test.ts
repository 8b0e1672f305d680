import { spawn } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DEMO = join(import.meta.dirname, "../../dist/simulator/src/demo.js");

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe("npm run demo", () => {
  it("starts the simulator and the exporter, prints the URL, serves real metrics and stops on SIGINT", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [DEMO], {
      env: { PATH: process.env.PATH ?? "", DEMO_PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      let metrics = "";
      for (let i = 0; i < 100 && !/^avepoint_up 1$/m.test(metrics); i++) {
        await new Promise((r) => setTimeout(r, 100));
        metrics = await fetch(url).then(
          (r) => r.text(),
          () => "",
        );
      }
      expect(output).toContain(url);
      expect(metrics).toMatch(/^avepoint_up 1$/m);
      expect(metrics.match(/^avepoint_scan_profile_info\{/gm)).toHaveLength(100);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
  });
});
