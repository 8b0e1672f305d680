/** Every setting is either applied by a reload or named as needing a restart: none is missed. */
import { describe, expect, it } from "vitest";
import { compareConfigs, RELOADABLE } from "../../src/config/changes.js";
import type { Config } from "../../src/config/config.js";
import { parseConfig, type ParsedArgs } from "../../src/config/parse.js";

const base = (
  parseConfig(["--avepoint.client-id=a"], { AVEPOINT_CLIENT_SECRET: "s3cr3t" }, () => "") as ParsedArgs
).config;

/** Every leaf of the configuration (arrays and credentials as a whole) with a changed copy. */
const mutations = (value: unknown, path: string[] = []): [string, Config][] => {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && path.at(-1) !== "credentials")
    return Object.entries(value).flatMap(([key, inner]) => mutations(inner, [...path, key]));
  const copy = structuredClone(base) as unknown as Record<string, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path.at(-1)!] = { changed: true };
  return [[path.join("."), copy as unknown as Config]];
};

describe("compareConfigs", () => {
  it.each(mutations(base))("notices a change of %s", (_path, changed) => {
    expect(compareConfigs(base, changed).changed).not.toHaveLength(0);
  });

  it("lets only the selection, the log level and the credentials change at run time", () => {
    const next: Config = {
      ...base,
      collect: { ...base.collect, excludeCustomers: ["x"] },
      log: { ...base.log, level: "debug" },
      avepoint: { ...base.avepoint, credentials: { kind: "secret", clientSecret: "new" }, rateLimit: 1 },
    };
    expect(compareConfigs(base, next)).toEqual({
      changed: ["credentials", "avepoint.rate-limit", "collect.exclude-customers", "log.level"],
      needRestart: ["avepoint.rate-limit"],
    });
    expect([...RELOADABLE].sort()).toEqual([
      "collect.customers",
      "collect.exclude-customers",
      "credentials",
      "log.level",
      "shard.index",
      "shard.total",
    ]);
  });
});
