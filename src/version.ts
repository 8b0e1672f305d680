/**
 * The exporter's version, from the package.json above this file (works from src/ and dist/src/), and
 * the revision and build date written into dist/build-info.json by the build ("unknown" from sources).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

const findVersion = (): string => {
  let dir = here;
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

const readBuildInfo = (): { revision: string; buildDate: string } => {
  try {
    const info = JSON.parse(readFileSync(join(here, "..", "build-info.json"), "utf8")) as Record<
      string,
      unknown
    >;
    const text = (value: unknown): string =>
      typeof value === "string" && /^[\w.:+-]{1,80}$/.test(value) ? value : "unknown";
    return { revision: text(info.revision), buildDate: text(info.buildDate) };
  } catch {
    return { revision: "unknown", buildDate: "unknown" };
  }
};

export const VERSION = findVersion();
const BUILD = readBuildInfo();
export const REVISION = BUILD.revision;
export const BUILD_DATE = BUILD.buildDate;

/** What --version prints, in the shape of the Prometheus exporters' version text. */
export const versionText = (): string =>
  [
    `avepoint-exporter, version ${VERSION} (revision: ${REVISION})`,
    `  build date:   ${BUILD_DATE}`,
    `  node version: ${process.version}`,
    "",
  ].join("\n");
