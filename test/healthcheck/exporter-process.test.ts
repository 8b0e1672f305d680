import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exporterArguments, findExporterProcess } from "../../src/healthcheck/exporter-process.js";
import { probeHost, probeUrl } from "../../src/healthcheck/probe.js";

describe("exporterArguments", () => {
  it.each([
    [["node", "dist/src/main.js", "--web.listen-address=:9443"], ["--web.listen-address=:9443"]],
    [["/usr/local/bin/node", "--max-old-space-size=300", "/app/dist/src/main.js"], []],
    [["node", "simulator/dist/main.js", "--customers", "5"], undefined],
    [["node", "dist/src/healthcheck/main.js", "--pid=1"], undefined],
    [["/sbin/docker-init", "--", "node", "dist/src/main.js"], undefined],
    [[], undefined],
  ])("%j → %j", (cmdline, expected) => {
    expect(exporterArguments(cmdline)).toEqual(expected);
  });
});

describe("findExporterProcess", () => {
  let proc = "";
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  const fake = (processes: Record<number, string[]>): string => {
    proc = mkdtempSync(join(tmpdir(), "proc-"));
    for (const [pid, cmdline] of Object.entries(processes)) {
      mkdirSync(join(proc, pid));
      writeFileSync(join(proc, pid, "cmdline"), `${cmdline.join("\0")}\0`);
      writeFileSync(join(proc, pid, "environ"), "WEB_LISTEN_ADDRESS=:9100\0EMPTY=\0");
      symlinkSync("/app", join(proc, pid, "cwd"));
    }
    return proc;
  };

  it("takes process 1 when it is the exporter (the image's ENTRYPOINT)", () => {
    const found = findExporterProcess(fake({ 1: ["node", "dist/src/main.js", "--log.level=debug"] }));
    expect(found).toEqual({
      pid: 1,
      args: ["--log.level=debug"],
      env: { WEB_LISTEN_ADDRESS: ":9100", EMPTY: "" },
      cwd: "/app",
    });
  });

  it("looks further under an init process, and wants exactly one exporter", () => {
    const init = ["/sbin/docker-init", "--", "node", "dist/src/main.js"];
    expect(findExporterProcess(fake({ 1: init, 7: ["node", "dist/src/main.js"] })).pid).toBe(7);
    rmSync(proc, { recursive: true });
    expect(() => findExporterProcess(fake({ 1: init }))).toThrow("no exporter process found");
    rmSync(proc, { recursive: true });
    const two = fake({ 1: init, 7: ["node", "dist/src/main.js"], 9: ["node", "dist/src/main.js"] });
    expect(() => findExporterProcess(two)).toThrow("2 exporter processes (7, 9): name one with --pid");
  });
});

describe("the probe's address", () => {
  it.each([
    [{ host: undefined, port: 10123 }, false, "http://127.0.0.1:10123/-/healthy"],
    [{ host: "0.0.0.0", port: 9443 }, true, "https://127.0.0.1:9443/-/healthy"],
    [{ host: "::", port: 9443 }, true, "https://127.0.0.1:9443/-/healthy"],
    [{ host: "::1", port: 8080 }, false, "http://[::1]:8080/-/healthy"],
    [{ host: "10.1.2.3", port: 8080 }, false, "http://10.1.2.3:8080/-/healthy"],
  ])("%j (TLS %s) → %s", (address, tls, url) => {
    expect(probeUrl(address, tls)).toBe(url);
    expect(probeHost(address)).not.toBe("");
  });
});
