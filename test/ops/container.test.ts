/** Dockerfile, docker-compose.yml and prometheus.yml fit together and point at files that exist. */
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

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
const simulatorEntry = compiled("src/simulator/main.ts");

describe("Dockerfile", () => {
  const stages = stagesOf(read("Dockerfile"));
  const build = stages[0] ?? [];
  const final = stages.at(-1) ?? [];
  const args = (stage: Instruction[], keyword: string): string[] =>
    stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

  it("builds in a node:20-bookworm-slim stage with the dev dependencies", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(args(build, "FROM")[0]).toMatch(/^node:20-bookworm-slim AS build$/i);
    const runs = args(build, "RUN").join("\n");
    expect(runs).toMatch(/npm ci(?! [^\n]*--omit=dev)/);
    expect(runs).toContain("npm run build");
  });

  it("runs from a final stage with production dependencies and the compiled output only", () => {
    expect(args(final, "FROM")[0]).toMatch(/^node:20-bookworm-slim$/);
    expect(args(final, "RUN").join("\n")).toContain("npm ci --omit=dev");
    expect(args(final, "COPY")).toContainEqual(expect.stringMatching(/^--from=build \/app\/dist \.\/dist$/));
  });

  it("runs as the non-root user node", () => {
    expect(args(final, "USER")).toEqual(["node"]);
  });

  it("starts node itself (no npm) on the compiled exporter", () => {
    const [entrypoint] = args(final, "ENTRYPOINT");
    const command = JSON.parse(entrypoint ?? "null") as string[];
    expect(command).toEqual(["node", exporterEntry]);
    expect(args(final, "CMD").join(" ")).not.toContain("npm");
    expect(existsSync(join(root, "src/main.ts"))).toBe(true);
  });

  it("exposes the exporter port and checks its health endpoint with node", () => {
    expect(args(final, "EXPOSE")).toEqual(["10123"]);
    const [healthcheck] = args(final, "HEALTHCHECK");
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*http:\/\/127\.0\.0\.1:10123\/-\/healthy/);
  });

  it("keeps the build context small", () => {
    const ignored = read(".dockerignore").split("\n");
    for (const entry of ["node_modules", "dist", ".git"]) expect(ignored).toContain(entry);
  });
});

interface Service {
  build?: string | { context: string; dockerfile?: string };
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

  it("runs the compiled simulator with 200 customers from the exporter image", () => {
    const simulator = services.simulator as Service;
    expect(simulator.image).toBe(services.exporter?.image);
    expect(simulator.entrypoint).toEqual(["node", simulatorEntry]);
    expect(existsSync(join(root, "src/simulator/main.ts"))).toBe(true);
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

  it("matches the job name AvePointExporterDown expects", () => {
    expect(read("prometheus/rules/avepoint-alerts.yml")).toContain('up{job="avepoint"}');
  });
});
