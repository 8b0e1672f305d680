/**
 * The README and docs/ speak of metrics the exporter exposes, and the README stays a first page:
 * short, with exactly two set-up commands on its first screen.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { METRICS } from "../../src/metrics/names.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), "utf8");
const pages = ["README.md", ...readdirSync(join(root, "docs")).map((name) => `docs/${name}`)].filter((path) =>
  path.endsWith(".md"),
);

const exposed: ReadonlySet<string> = new Set(Object.values(METRICS).map(({ name }) => name));
/** A histogram's series, and the prefixes a page may name a family of metrics by. */
const known = (name: string): boolean =>
  exposed.has(name) ||
  exposed.has(name.replace(/_(bucket|sum|count)$/, "")) ||
  (name.endsWith("_") && [...exposed].some((metric) => metric.startsWith(name)));

describe("README.md and docs/", () => {
  it.each(pages)("%s names only metrics the exporter exposes", (path) => {
    const named = new Set(read(path).match(/\bavepoint_[a-z0-9_]+/g) ?? []);
    expect([...named].filter((name) => !known(name))).toEqual([]);
  });

  it("README.md is short and opens with exactly two set-up commands", () => {
    const readme = read("README.md");
    expect(readme.split("\n").length).toBeLessThanOrEqual(250);
    const firstScreen = readme.split("\n").slice(0, 30).join("\n");
    const blocks = [...firstScreen.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim().split("\n"));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.map((line) => line.replace(/\s+#.*$/, ""))).toEqual([
      "npm ci && npm run demo",
      "npm ci && npm test",
    ]);
  });
});
