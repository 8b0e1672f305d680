/**
 * scripts/kubernetes-overlay.js: an overlay of deploy/kubernetes from one value each for the image, the
 * namespace, the region and the shard count; and the docs name no overlay that nothing creates.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
// @ts-expect-error a plain JavaScript script without declarations
import { overlayOptions, renderOverlay } from "../../scripts/kubernetes-overlay.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = join(root, "scripts/kubernetes-overlay.js");
const dir = mkdtempSync(join(tmpdir(), "overlay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Kustomization {
  namespace: string;
  resources: string[];
  images: Record<string, string>[];
  replicas: { name: string; count: number }[];
  configMapGenerator: { name: string; behavior: string; literals: string[] }[];
}
const render = (args: string[]): Kustomization =>
  parse(
    (renderOverlay as (o: unknown) => string)((overlayOptions as (a: string[]) => unknown)(args)),
  ) as Kustomization;

describe("scripts/kubernetes-overlay.js", () => {
  it("writes an overlay whose replicas and SHARD_TOTAL come from one --shards, with the region and image", async () => {
    const out = join(dir, "overlays/production");
    const { stdout } = await run(process.execPath, [
      SCRIPT,
      ...["--out", out, "--image", "registry.example.com:5000/team/avepoint-exporter:0.2.0"],
      ...["--region", "gcp-jp", "--shards", "5", "--namespace", "monitoring-avepoint"],
    ]);
    expect(stdout).toContain("kubectl apply -k");
    const overlay = parse(readFileSync(join(out, "kustomization.yaml"), "utf8")) as Kustomization;
    expect(overlay.namespace).toBe("monitoring-avepoint");
    expect(resolve(out, overlay.resources[0]!)).toBe(join(root, "deploy/kubernetes"));
    expect(overlay.images).toEqual([
      {
        name: "avepoint-exporter",
        newName: "registry.example.com:5000/team/avepoint-exporter",
        newTag: "0.2.0",
      },
    ]);
    // The names the base uses, so kustomize replaces rather than adds.
    const base = parse(
      readFileSync(join(root, "deploy/kubernetes/kustomization.yaml"), "utf8"),
    ) as Kustomization;
    expect(overlay.replicas).toEqual([{ name: base.replicas[0]!.name, count: 5 }]);
    expect(overlay.configMapGenerator).toEqual([
      {
        name: base.configMapGenerator[0]!.name,
        behavior: "merge",
        literals: ["AVEPOINT_REGION=gcp-jp", "SHARD_TOTAL=5"],
      },
    ]);
  });

  it("pins an image by digest", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const overlay = render([
      "--out",
      dir,
      "--image",
      `reg.example/avepoint-exporter@${digest}`,
      "--region",
      "us",
      "--shards",
      "1",
    ]);
    expect(overlay.images).toEqual([
      { name: "avepoint-exporter", newName: "reg.example/avepoint-exporter", digest },
    ]);
  });

  it("clears the region outside the commercial environment", () => {
    const overlay = render(["--out", dir, "--image", "r/x:1", "--environment", "gov", "--shards", "2"]);
    expect(overlay.configMapGenerator[0]!.literals).toEqual([
      "AVEPOINT_ENVIRONMENT=gov",
      "AVEPOINT_REGION=",
      "SHARD_TOTAL=2",
    ]);
  });

  it.each([
    [["--image", "r/x:1", "--region", "us"], /--shards is required/],
    [["--image", "r/x:1", "--shards", "2"], /--region is required/],
    [
      ["--image", "r/x:1", "--environment", "gov", "--region", "us", "--shards", "2"],
      /--region: regions exist only/,
    ],
    [["--image", "r/x:1", "--environment", "moon", "--shards", "2"], /--environment:/],
    [["--image", "r/x:1", "--region", "us", "--shards", "0"], /--shards: must be a whole number/],
    [["--image", "r/x:1", "--region", "us", "--shards", "2.5"], /--shards: must be a whole number/],
    [["--image", "r/x:1", "--region", "U S", "--shards", "2"], /--region:/],
    [["--image", "r/x", "--region", "us", "--shards", "2"], /--image: must be name:tag/],
    [["--image", "r/x:1", "--region", "us", "--shards", "2", "--namespace", "Bad_NS"], /--namespace:/],
  ])("refuses %j, naming the option", (args, problem) => {
    expect(() => (overlayOptions as (a: string[]) => unknown)(["--out", dir, ...args])).toThrow(problem);
  });

  it("exits 2 with one line on a bad option", async () => {
    const failed = await run(process.execPath, [
      SCRIPT,
      "--out",
      dir,
      "--image",
      "r/x:1",
      "--region",
      "us",
    ]).catch((err: { code: number; stderr: string }) => err);
    expect(failed).toMatchObject({ code: 2, stderr: "kubernetes-overlay: --shards is required\n" });
  });
});

describe("the docs", () => {
  it.each(["README.md", "deploy/kubernetes/README.md", "docs/operations.md"])(
    "%s applies an overlay only after writing it",
    (path) => {
      const text = readFileSync(join(root, path), "utf8");
      for (const [, overlay] of text.matchAll(/kubectl apply -k (\S+)/g)) {
        if (overlay === "deploy/kubernetes") continue;
        const written = new RegExp(
          `kubernetes-overlay\\.js[^\\n]*--out[ =]${overlay!.replace(/[/.]/g, "\\$&")}`,
        );
        expect(text, `${path} applies ${overlay}`).toMatch(written);
      }
    },
  );
});
