/** A refused reload changes nothing: what can refuse is checked before the web config is applied. */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { parseConfig, type ParsedArgs } from "../src/config/parse.js";
import type { Config } from "../src/config/config.js";
import { createSelfMetrics } from "../src/metrics/self.js";
import { createReloader } from "../src/reload.js";
import type { WebConfig } from "../src/web-config/web-config.js";

const read = (secret: string): ParsedArgs =>
  parseConfig(["--avepoint.client-id=a"], { AVEPOINT_CLIENT_SECRET: secret }, () => "") as ParsedArgs;

describe("reload order", () => {
  it("refuses new credentials it cannot use before it touches the web config", async () => {
    const calls: string[] = [];
    const running: Config = read("old").config;
    const web = { reload: () => calls.push("web.reload"), onReload: () => {} } as unknown as WebConfig;
    const reloader = createReloader({
      read: () => read("new"),
      running,
      web,
      logger: pino({ level: "silent" }),
      exporter: {
        self: createSelfMetrics("test", { defaultMetrics: false }),
        checkReconfigure: () => {
          calls.push("check");
          throw new Error("bad key");
        },
        reconfigure: () => calls.push("reconfigure"),
      },
    });
    const outcome = await reloader.reload("test");
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/cannot use the certificate and key \(bad key\)/);
    expect(calls).toEqual(["check"]);
  });
});
