/** The exporter's version, from the package.json above this file (works from src/ and dist/src/). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const findVersion = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "avepoint-exporter" && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return "unknown";
};

export const VERSION = findVersion();
