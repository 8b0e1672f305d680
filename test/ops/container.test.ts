/**
 * Dockerfile, docker-compose.yml and prometheus.yml fit together and point at files that exist; the
 * image's HEALTHCHECK command, replayed without a Docker engine, follows the exporter's listen address
 * and TLS settings.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type AddressInfo } from "node:net";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { parse } from "yaml";
import { startSimulator } from "avepoint-simulator";
import { MAIN } from "../helpers/process.js";
import { createPki, type Pki } from "../helpers/pki.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), "utf8");

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile → stages of instructions (continuation lines joined, comments dropped). */
function stagesOf(dockerfile: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const lines = dockerfile
    .replaceAll(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  for (const line of lines) {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === "FROM") stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** The compiled path of a source file, as tsconfig.build.json lays out dist/. */
function compiled(source: string): string {
  const { compilerOptions } = JSON.parse(read("tsconfig.build.json")) as {
    compilerOptions: { rootDir: string; outDir: string };
  };
  const relative = posix.relative(compilerOptions.rootDir, source).replace(/\.ts$/, ".js");
  return posix.normalize(posix.join(compilerOptions.outDir, relative));
}

const exporterEntry = compiled("src/main.ts");
/** The simulator package's command, as its package.json names it, from the image's /app. */
const simulatorEntry = ((): string => {
  const { bin } = JSON.parse(read("simulator/package.json")) as { bin: Record<string, string> };
  return posix.join("simulator", bin["avepoint-simulator"] ?? "");
})();

describe("Dockerfile", () => {
  const stages = stagesOf(read("Dockerfile"));
  const build = stages[0] ?? [];
  const final = stages.at(-1) ?? [];
  const args = (stage: Instruction[], keyword: string): string[] =>
    stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
  const preamble = read("Dockerfile").split(/^FROM /m)[0] ?? "";
  const nodeImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(preamble)?.[1] ?? "";

  it("uses one Node.js LTS image (24 or 22, both supported) in every stage", () => {
    expect(nodeImage).toMatch(/^node:(24|22)-[a-z]+-slim$/);
    for (const stage of stages)
      expect(args(stage, "FROM")[0]).toMatch(/^(\$\{NODE_IMAGE\}|runtime)( AS \w+)?$/);
    expect(args(stages[1] ?? [], "FROM")[0]).toBe("${NODE_IMAGE} AS runtime");
  });

  it("builds in a stage with the dev dependencies", () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(args(build, "FROM")[0]).toBe("${NODE_IMAGE} AS build");
    const runs = args(build, "RUN").join("\n");
    expect(runs).toMatch(/npm ci(?! [^\n]*--omit=dev)/);
    expect(runs).toContain("npm run build");
  });

  it("ships the exporter only: no simulator, demo, benchmarks or source maps in the final stage", () => {
    const runtime = stages.find((stage) => args(stage, "FROM")[0]?.endsWith("AS runtime")) ?? [];
    expect(args(runtime, "RUN").join("\n")).toContain("npm ci --omit=dev");
    expect(args(final, "FROM")[0]).toBe("runtime AS exporter");
    expect(args(final, "COPY")).toEqual(["--from=build /product/dist ./dist"]);
    const assemble = args(build, "RUN").find((run) => run.includes("/product")) ?? "";
    expect(assemble).toContain("cp -r dist/src dist/build-info.json /product/dist/");
    // The simulator is a package of its own (simulator/dist) and the demo is dist/demo: neither is in dist/src.
    expect(simulatorEntry.startsWith("dist/src/")).toBe(false);
    expect(exporterEntry.startsWith("dist/src/")).toBe(true);
    expect(assemble).toContain("-name '*.map' -delete");
    expect(assemble).not.toContain("dist/bench");
  });

  it("has a simulator target of its own for the demo stack", () => {
    const simulator = stages.find((stage) => args(stage, "FROM")[0] === "runtime AS simulator") ?? [];
    expect(JSON.parse(args(simulator, "ENTRYPOINT")[0] ?? "null")).toEqual(["node", simulatorEntry]);
  });

  it("runs as the non-root user node", () => {
    const runtime = stages.find((stage) => args(stage, "FROM")[0]?.endsWith("AS runtime")) ?? [];
    expect(args(runtime, "USER")).toEqual(["node"]);
    expect(args(final, "USER")).toEqual([]);
  });

  it("starts node itself (no npm) on the compiled exporter", () => {
    const [entrypoint] = args(final, "ENTRYPOINT");
    const command = JSON.parse(entrypoint ?? "null") as string[];
    expect(command).toEqual(["node", exporterEntry]);
    expect(args(final, "CMD").join(" ")).not.toContain("npm");
    expect(existsSync(join(root, "src/main.ts"))).toBe(true);
  });

  it("carries the OCI labels, the version the package has", () => {
    const labels = args(final, "LABEL").join(" ");
    for (const key of ["title", "description", "licenses", "version", "revision", "base.name"])
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    const { version, license } = JSON.parse(read("package.json")) as { version: string; license: string };
    expect(args(final, "ARG")).toContain(`VERSION=${version}`);
    expect(labels).toContain(`org.opencontainers.image.licenses="${license}"`);
  });

  it("exposes the exporter port and checks health with the exporter's own configuration", () => {
    expect(args(final, "EXPOSE")).toEqual(["10123"]);
    expect(healthcheckCommand()).toEqual(["node", compiled("src/healthcheck/main.ts")]);
  });

  it("gives the node user a writable data directory, declared a volume, as the state's path", () => {
    const runtime = stages.find((stage) => args(stage, "FROM")[0]?.endsWith("AS runtime")) ?? [];
    const [volume] = args(final, "VOLUME");
    const path = (JSON.parse(volume ?? "null") as string[])[0] ?? "";
    expect(path).toMatch(/^\/var\/lib\//);
    expect(args(final, "ENV")).toContain(`STORAGE_PATH=${path}`);
    // Made and handed to node before USER node: the user cannot make it under /var/lib itself.
    const runs = args(runtime, "RUN").join("\n");
    expect(runs).toContain(`mkdir -p ${path}`);
    expect(runs).toContain(`chown node:node ${path}`);
  });

  it("keeps the build context small", () => {
    const ignored = read(".dockerignore").split("\n");
    for (const entry of ["node_modules", "dist", ".git", "test-results"]) expect(ignored).toContain(entry);
  });
});

/** The exec form of the final stage's HEALTHCHECK. */
function healthcheckCommand(): string[] {
  const stage = stagesOf(read("Dockerfile")).at(-1) ?? [];
  const healthcheck = stage.find((instruction) => instruction.keyword === "HEALTHCHECK")?.args ?? "";
  const [, json = "null"] = /\bCMD\s+(\[.*\])\s*$/.exec(healthcheck) ?? [];
  return JSON.parse(json) as string[];
}

interface Service {
  build?: string | { context: string; dockerfile?: string; target?: string };
  image?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}

describe("docker-compose.yml", () => {
  const compose = parse(read("docker-compose.yml")) as { services: Record<string, Service> };
  const services = compose.services;

  it("keeps the exporter's state on a named volume at the image's data directory", () => {
    const final = stagesOf(read("Dockerfile")).at(-1) ?? [];
    const volume = final.find((instruction) => instruction.keyword === "VOLUME")?.args;
    const path = (JSON.parse(volume ?? "null") as string[])[0];
    const named = (services.exporter?.volumes ?? []).find((v) => v.endsWith(`:${path}`));
    expect(named).toBeDefined();
    const name = named!.split(":")[0]!;
    expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(Object.keys((compose as { volumes?: object }).volumes ?? {})).toContain(name);
  });

  it("has the simulator, exporter, prometheus and grafana services", () => {
    expect(Object.keys(services).sort()).toEqual(["exporter", "grafana", "prometheus", "simulator"]);
  });

  it.each(Object.entries(compose.services))("service %s references files that exist", (_name, service) => {
    if (service.build !== undefined) {
      const context = typeof service.build === "string" ? service.build : service.build.context;
      const dockerfile =
        typeof service.build === "string" ? "Dockerfile" : (service.build.dockerfile ?? "Dockerfile");
      expect(existsSync(join(root, context, dockerfile)), `${context}/${dockerfile}`).toBe(true);
    }
    for (const volume of service.volumes ?? []) {
      const [source = ""] = volume.split(":");
      if (source.startsWith(".")) expect(existsSync(join(root, source)), source).toBe(true);
    }
  });

  it("runs the compiled simulator with 200 customers from the Dockerfile's simulator target", () => {
    const simulator = services.simulator as Service;
    expect(simulator.build).toEqual({ context: ".", target: "simulator" });
    expect(services.exporter?.build).toEqual({ context: ".", target: "exporter" });
    expect(simulator.image).not.toBe(services.exporter?.image);
    expect(simulator.entrypoint).toBeUndefined();
    expect(existsSync(join(root, "simulator/src/main.ts"))).toBe(true);
    expect(simulatorEntry).toBe("simulator/dist/main.js");
    const command = simulator.command ?? [];
    expect(command[command.indexOf("--customers") + 1]).toBe("200");
    expect(command[command.indexOf("--listen-address") + 1]).toBe("0.0.0.0:10124");
  });

  it("points the exporter at the simulator with the demo credentials", () => {
    const exporter = services.exporter as Service;
    expect(exporter.entrypoint).toBeUndefined();
    expect(exporter.command).toEqual(
      expect.arrayContaining([
        "--avepoint.api-url=http://simulator:10124",
        "--avepoint.token-url=http://simulator:10124/connect/token",
      ]),
    );
    expect(exporter.environment).toMatchObject({
      AVEPOINT_CLIENT_ID: "demo-client",
      AVEPOINT_CLIENT_SECRET: "demo-secret",
    });
    expect(exporter.ports).toContain("10123:10123");
  });

  it("mounts the Prometheus config next to its rules", () => {
    const volumes = services.prometheus?.volumes ?? [];
    expect(volumes).toContain("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
    expect(volumes).toContain("./prometheus/rules:/etc/prometheus/rules:ro");
  });
});

describe("prometheus/prometheus.yml", () => {
  const seconds = (duration: string): number => {
    const [, value = "0", unit = "s"] = /^(\d+)([smh])$/.exec(duration) ?? [];
    return Number(value) * { s: 1, m: 60, h: 3600 }[unit as "s" | "m" | "h"];
  };
  const config = parse(read("prometheus/prometheus.yml")) as {
    global: { scrape_interval: string };
    rule_files: string[];
    scrape_configs: {
      job_name: string;
      scrape_interval?: string;
      scrape_timeout?: string;
      static_configs: { targets: string[] }[];
    }[];
  };

  it("loads every rule file, relative to itself", () => {
    expect(config.rule_files.sort()).toEqual(["rules/avepoint-alerts.yml", "rules/avepoint-recording.yml"]);
    for (const file of config.rule_files) expect(existsSync(join(root, "prometheus", file)), file).toBe(true);
  });

  it('scrapes the compose exporter as job "avepoint" with a timeout below the interval', () => {
    const job = config.scrape_configs.find((scrape) => scrape.job_name === "avepoint");
    expect(job?.static_configs[0]?.targets).toEqual(["exporter:10123"]);
    const interval = seconds(job?.scrape_interval ?? config.global.scrape_interval);
    const timeout = seconds(job?.scrape_timeout ?? "0s");
    expect(timeout).toBeGreaterThan(10);
    expect(timeout).toBeLessThan(interval);
  });

  it("needs no particular job name: the rules select none (prometheus/JOB-LABEL.md)", () => {
    for (const file of config.rule_files)
      expect(read(join("prometheus", file))).not.toMatch(/\bjob\s*=~?\s*"/);
  });
});

/**
 * Starts something on a port the system has just handed out and taken back (the exporter below must
 * listen on a known one); another test may take the same port in between, so a start refused with
 * EADDRINUSE is tried again on a new port.
 */
const onFreePort = async <T>(start: (port: number) => Promise<T>): Promise<{ port: number; exporter: T }> => {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { port, exporter: await start(port) };
    } catch (err) {
      if (attempt >= 5 || !String(err).includes("EADDRINUSE")) throw err;
    }
  }
};

/** A port the system has just handed out and taken back. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** The exporter process as the image's ENTRYPOINT runs it, from the repository (the image's /app). */
const startExporter = async (
  args: string[],
  env: Record<string, string>,
): Promise<{ pid: number; stop(): Promise<void> }> => {
  // The image's own state directory (ENV STORAGE_PATH), here one of the test's own.
  const storage = mkdtempSync(join(tmpdir(), "avepoint-container-state-"));
  onTestFinished(() => rmSync(storage, { recursive: true, force: true }));
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", STORAGE_PATH: storage, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  onTestFinished(stop);
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      if (output.includes("avepoint-exporter listening")) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exporter exited with ${code}:\n${output}`)));
  });
  return { pid: child.pid as number, stop };
};

/** The HEALTHCHECK's command from the image's working directory, told which process is the exporter. */
const healthcheck = (pid: number): Promise<{ code: number; stdout: string; stderr: string }> => {
  const [program, ...args] = healthcheckCommand();
  expect(program).toBe("node");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...args, `--pid=${pid}`],
      { cwd: root, env: { PATH: process.env.PATH ?? "" }, timeout: 20_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
};

describe("HEALTHCHECK, replayed without a Docker engine", () => {
  let pki: Pki;
  let simulatorArgs: string[] = [];
  let closeSimulator = async (): Promise<void> => {};

  beforeAll(async () => {
    pki = createPki();
    pki.selfSigned("server");
    pki.write(
      "users.yml",
      `basic_auth_users:\n  prometheus: "${bcrypt.hashSync("Passw0rd-for-probes", 4)}"\n`,
    );
    const simulator = await startSimulator({ customers: 2, profilesPerCustomer: 1 });
    closeSimulator = () => simulator.close();
    simulatorArgs = [`--avepoint.api-url=${simulator.apiUrl}`, `--avepoint.token-url=${simulator.tokenUrl}`];
  });

  afterAll(async () => {
    await closeSimulator();
    pki.remove();
  });

  const credentials = { AVEPOINT_CLIENT_ID: "demo-client", AVEPOINT_CLIENT_SECRET: "demo-secret" };
  const tls = "tls_server_config:\n  cert_file: server.cert.pem\n  key_file: server.key.pem\n";

  it.each([
    {
      name: "TLS from --web.config.file, listen address from the flag",
      setup: (port: number) => ({
        args: [`--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${pki.write("tls.yml", tls)}`],
        env: {},
      }),
      scheme: "https",
    },
    {
      name: "TLS with a required client certificate and basic auth, all from the environment",
      setup: (port: number) => ({
        args: [],
        env: {
          WEB_LISTEN_ADDRESS: `127.0.0.1:${port}`,
          WEB_CONFIG_FILE: pki.write(
            "mtls.yml",
            `${tls}  client_auth_type: RequireAnyClientCert\nbasic_auth_users:\n` +
              `  prometheus: "${bcrypt.hashSync("Passw0rd-for-probes", 4)}"\n`,
          ),
        },
      }),
      scheme: "https",
    },
    {
      name: "plain HTTP on a listen address from --config.file, several addresses",
      setup: (port: number) => ({
        args: [
          `--config.file=${pki.write("exporter.yml", `web:\n  listen-address: 127.0.0.1:${port},127.0.0.1:0\n`)}`,
        ],
        env: {},
      }),
      scheme: "http",
    },
  ])("passes with $name", async ({ setup, scheme }) => {
    const { port, exporter } = await onFreePort((p) => {
      const { args, env } = setup(p);
      return startExporter([...simulatorArgs, ...args], { ...credentials, ...env });
    });
    const result = await healthcheck(exporter.pid);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`healthy: ${scheme}://127.0.0.1:${port}/-/healthy: HTTP 200\n`);
    expect(result.code).toBe(0);
  });

  it("fails once the exporter no longer answers, naming what it tried", async () => {
    const { port, exporter } = await onFreePort((p) =>
      startExporter(
        [
          ...simulatorArgs,
          `--web.listen-address=127.0.0.1:${p}`,
          `--web.config.file=${pki.write("tls.yml", tls)}`,
        ],
        credentials,
      ),
    );
    // A hung exporter: SIGSTOP freezes it, the kernel still accepts the connection, nothing answers.
    process.kill(exporter.pid, "SIGSTOP");
    const resume = (): void => {
      try {
        process.kill(exporter.pid, "SIGCONT");
      } catch {
        // Already gone.
      }
    };
    onTestFinished(resume);
    const frozen = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const [, ...args] = healthcheckCommand();
      execFile(
        process.execPath,
        [...args, `--pid=${exporter.pid}`, "--timeout=200ms"],
        { cwd: root, env: { PATH: process.env.PATH ?? "" }, timeout: 20_000 },
        (err, _stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stderr }),
      );
    });
    resume();
    expect(frozen.code).toBe(1);
    expect(frozen.stderr).toContain(`unhealthy: https://127.0.0.1:${port}/-/healthy: `);
    await exporter.stop();
    const gone = await healthcheck(exporter.pid);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^unhealthy: /);
  });

  it("refuses a process that is not the exporter", async () => {
    const result = await healthcheck(process.pid);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`process ${process.pid} is not the exporter`);
  });
});
