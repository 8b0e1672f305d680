import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/config.js";
import { describeConfig } from "../../src/config/describe.js";
import { parseConfig, type ParsedArgs } from "../../src/config/parse.js";
import { ConfigError } from "../../src/errors.js";

const fixtures = join(import.meta.dirname, "../fixtures/config");
const files: Record<string, string> = { "/run/secret": "s3cr3t-from-file\n", "/empty": "  \n" };
const readFile = (path: string): string => {
  if (path in files) return files[path]!;
  return readFileSync(path.startsWith("/") ? path : join(fixtures, path), "utf8");
};
const BASE_ENV = { AVEPOINT_CLIENT_SECRET: "s3cr3t" };

const parse = (argv: string[], env: Record<string, string> = BASE_ENV): ParsedArgs =>
  parseConfig(argv, env, readFile) as ParsedArgs;
const config = (argv: string[], env?: Record<string, string>): Config => parse(argv, env).config;

describe("configuration", () => {
  it("has working defaults for everything but the client ID", () => {
    const c = config(["--avepoint.client-id=abc"]);
    expect(c.web.listen).toEqual([{ host: undefined, port: 10123 }]);
    expect(c.web.telemetryPath).toBe("/metrics");
    expect(c.avepoint.flavor).toBe("v3");
    expect(c.avepoint.apiUrl).toBe("https://graph.avepointonlineservices.com");
    expect(c.avepoint.tokenUrl).toBe("https://identity.avepointonlineservices.com/connect/token");
    expect(c.avepoint.scopes).toEqual(["elements.customers.read.all", "elements.scanprofiles.read.all"]);
    expect(c.avepoint.credentials).toEqual({ kind: "secret", clientSecret: "s3cr3t" });
    expect(c.avepoint.concurrency).toBe(8);
    expect(c.avepoint.requestTimeoutSeconds).toBe(15);
    expect(c.runtime.heapGrowthPercent).toBe(50);
  });

  it.each([
    ["10MiB", 10 * 1024 ** 2],
    ["512KiB", 512 * 1024],
    ["2048", 2048],
    ["1.5 MB", 1.5 * 1024 ** 2],
    ["1g", 1024 ** 3],
  ])("reads the response size %s", (size, bytes) => {
    const { config } = parse(["--avepoint.client-id=a", `--avepoint.max-response-size=${size}`], BASE_ENV);
    expect(config.avepoint.maxResponseBytes).toBe(bytes);
  });

  it("reads the throttling settings", () => {
    const { config } = parse(
      ["--avepoint.client-id=a", "--avepoint.adaptive-rate=false", "--avepoint.max-retry-after=30s"],
      BASE_ENV,
    );
    expect(config.avepoint.adaptiveRate).toBe(false);
    expect(config.avepoint.maxRetryAfterSeconds).toBe(30);
  });

  it("reads the heap growth, 0 meaning V8's own choice", () => {
    expect(
      config(["--avepoint.client-id=a", "--runtime.heap-growth-percent=0"]).runtime.heapGrowthPercent,
    ).toBe(0);
    const env = { ...BASE_ENV, RUNTIME_HEAP_GROWTH_PERCENT: "100" };
    expect(config(["--avepoint.client-id=a"], env).runtime.heapGrowthPercent).toBe(100);
  });

  it("lets flags win over environment over the config file", () => {
    const env = { ...BASE_ENV, AVEPOINT_CONCURRENCY: "6", AVEPOINT_CLIENT_ID: "env-client" };
    const c = config(["--config.file=good.yml", "--avepoint.concurrency=9"], env);
    expect(c.avepoint.concurrency).toBe(9);
    expect(c.avepoint.clientId).toBe("env-client");
    expect(c.avepoint.flavor).toBe("modern");
    expect(c.avepoint.scopes).toEqual(["partner.customers.read.all", "partner.scanprofiles.read.all"]);
    expect(c.collect.minIntervalSeconds).toBe(60);
    expect(c.collect.customers).toEqual(["Contoso*", "Fabrikam"]);
  });

  it("reads the secret from a _FILE path and trims it", () => {
    const c = config(["--avepoint.client-id=a"], { AVEPOINT_CLIENT_SECRET_FILE: "/run/secret" });
    expect(c.avepoint.credentials).toEqual({ kind: "secret", clientSecret: "s3cr3t-from-file" });
    const d = config(["--avepoint.client-id=a", "--avepoint.client-secret-file=/run/secret"], {});
    expect(d.avepoint.credentials).toEqual({ kind: "secret", clientSecret: "s3cr3t-from-file" });
  });

  it.each([
    [
      "gov",
      undefined,
      "https://graph-gov.avepointonlineservices.com",
      "https://identity-gov.avepointonlineservices.com/connect/token",
    ],
    [
      "aos2",
      undefined,
      "https://graph-aos2.avepointonlineservices.com",
      "https://identity-aos2.avepointonlineservices.com/connect/token",
    ],
    [
      "fedramp",
      undefined,
      "https://graphusgovapi.online15.net",
      "https://identity.online15.net/connect/token",
    ],
    [
      "commercial",
      "we",
      "https://graph-we.avepointonlineservices.com",
      "https://identity.avepointonlineservices.com/connect/token",
    ],
    [
      "commercial",
      "gcp-jp",
      "https://graph-gcp-jp.avepointonlineservices.com",
      "https://identity.avepointonlineservices.com/connect/token",
    ],
  ])("resolves environment %s region %s", (environment, region, apiUrl, tokenUrl) => {
    const argv = ["--avepoint.client-id=a", `--avepoint.environment=${environment}`];
    if (region) argv.push(`--avepoint.region=${region}`);
    const c = config(argv);
    expect([c.avepoint.apiUrl, c.avepoint.tokenUrl]).toEqual([apiUrl, tokenUrl]);
  });

  it("lets explicit URLs override the environment", () => {
    const c = config([
      "--avepoint.client-id=a",
      "--avepoint.region=us",
      "--avepoint.api-url=http://127.0.0.1:1/",
      "--avepoint.token-url=http://127.0.0.1:2/t",
    ]);
    expect([c.avepoint.apiUrl, c.avepoint.tokenUrl]).toEqual(["http://127.0.0.1:1", "http://127.0.0.1:2/t"]);
  });

  it.each<[string, string[], Record<string, string>, string]>([
    ["no client ID", [], BASE_ENV, "--avepoint.client-id: missing"],
    [
      "a malformed URL",
      ["--avepoint.client-id=a", "--avepoint.api-url=not a url"],
      BASE_ENV,
      "--avepoint.api-url: must be an http(s) URL",
    ],
    [
      "concurrency 0",
      ["--avepoint.client-id=a", "--avepoint.concurrency=0"],
      BASE_ENV,
      "--avepoint.concurrency: must be a whole number from 1",
    ],
    [
      "concurrency not a number",
      ["--avepoint.client-id=a", "--avepoint.concurrency=lots"],
      BASE_ENV,
      "--avepoint.concurrency",
    ],
    ["no credentials", ["--avepoint.client-id=a"], {}, "--avepoint.client-secret-file: missing credentials"],
    [
      "an empty secret file",
      ["--avepoint.client-id=a", "--avepoint.client-secret-file=/empty"],
      {},
      "--avepoint.client-secret-file: is empty",
    ],
    [
      "a missing secret file",
      ["--avepoint.client-id=a", "--avepoint.client-secret-file=/nope"],
      {},
      "--avepoint.client-secret-file: cannot read the file it names (ENOENT)",
    ],
    [
      "an unknown flavor",
      ["--avepoint.client-id=a", "--avepoint.api-flavor=v4"],
      BASE_ENV,
      '--avepoint.api-flavor: unknown value "v4"; valid: v3, modern, v3-batch',
    ],
    [
      "an unknown environment",
      ["--avepoint.client-id=a", "--avepoint.environment=mars"],
      BASE_ENV,
      '--avepoint.environment: unknown value "mars"; valid: commercial, gov, aos2, fedramp',
    ],
    [
      "an unknown region",
      ["--avepoint.client-id=a", "--avepoint.region=xx"],
      BASE_ENV,
      '--avepoint.region: unknown region "xx"; valid: au, sg',
    ],
    [
      "a region outside commercial",
      ["--avepoint.client-id=a", "--avepoint.environment=gov", "--avepoint.region=us"],
      BASE_ENV,
      "--avepoint.region: regions exist only",
    ],
    [
      "a bad duration",
      ["--avepoint.client-id=a", "--collect.min-interval=soon"],
      BASE_ENV,
      "--collect.min-interval: must be a duration",
    ],
    [
      "a bad listen address",
      ["--avepoint.client-id=a", "--web.listen-address=10123"],
      BASE_ENV,
      "--web.listen-address: must be [host]:port",
    ],
    [
      "a shard index past the total",
      ["--avepoint.client-id=a", "--shard.total=2", "--shard.index=2"],
      BASE_ENV,
      "--shard.index: must be below",
    ],
    [
      "a response size without a number",
      ["--avepoint.client-id=a", "--avepoint.max-response-size=big"],
      BASE_ENV,
      "--avepoint.max-response-size: must be a size",
    ],
    [
      "a response size below 1 KiB",
      ["--avepoint.client-id=a", "--avepoint.max-response-size=100"],
      BASE_ENV,
      "--avepoint.max-response-size: must be a size",
    ],
    [
      "adaptive rate neither true nor false",
      ["--avepoint.client-id=a", "--avepoint.adaptive-rate=maybe"],
      BASE_ENV,
      '--avepoint.adaptive-rate: unknown value "maybe"; valid: true, false',
    ],
    [
      "a Retry-After cap of zero",
      ["--avepoint.client-id=a", "--avepoint.max-retry-after=0s"],
      BASE_ENV,
      "--avepoint.max-retry-after: must be at least 1s",
    ],
    [
      "a negative heap growth",
      ["--avepoint.client-id=a", "--runtime.heap-growth-percent=-5"],
      BASE_ENV,
      "--runtime.heap-growth-percent: must be a whole number",
    ],
    [
      "an unknown flag",
      ["--avepoint.client-id=a", "--avepoint.concurrancy=3"],
      BASE_ENV,
      "--avepoint.concurrancy",
    ],
    [
      "an unknown key in the config file",
      ["--config.file=unknown-key.yml"],
      BASE_ENV,
      '--config.file: unknown setting "avepoint.concurrancy"',
    ],
    [
      "concurrency 0 in the config file",
      ["--config.file=bad-concurrency.yml"],
      BASE_ENV,
      "avepoint.concurrency in bad-concurrency.yml: must be a whole number",
    ],
    [
      "a config file that is not YAML",
      ["--config.file=not-yaml.yml"],
      BASE_ENV,
      "--config.file: cannot read not-yaml.yml",
    ],
    [
      "a missing config file",
      ["--config.file=missing.yml"],
      BASE_ENV,
      "--config.file: cannot read missing.yml",
    ],
    [
      "secret and certificate",
      ["--avepoint.client-id=a", "--avepoint.certificate-file=/run/secret"],
      BASE_ENV,
      "AVEPOINT_CLIENT_SECRET: give either a client secret or a certificate (--avepoint.certificate-file), not both",
    ],
    [
      "a duplicate key in the config file",
      ["--config.file=duplicate-key.yml"],
      BASE_ENV,
      '--config.file: cannot read duplicate-key.yml: line 4: duplicate key "client-id"',
    ],
    [
      "a duration longer than a timer can wait, in the config file",
      ["--config.file=duration-too-long.yml"],
      BASE_ENV,
      'collect.max-stale in duration-too-long.yml: must be at most 24d20h31m23s647ms, got "30d"',
    ],
    [
      "a request timeout of a day",
      ["--avepoint.client-id=a", "--avepoint.request-timeout=1d"],
      BASE_ENV,
      '--avepoint.request-timeout: must be at most 10m, got "1d"',
    ],
    [
      "a minimum interval of a month",
      ["--avepoint.client-id=a", "--collect.min-interval=720h"],
      BASE_ENV,
      "--collect.min-interval: must be at most 7d",
    ],
    [
      "a duration too large to be a number",
      ["--avepoint.client-id=a", `--collect.max-stale=${"9".repeat(400)}`],
      BASE_ENV,
      "--collect.max-stale: must be at most",
    ],
    [
      "a default scrape timeout of an hour",
      ["--avepoint.client-id=a", "--collect.default-timeout=1h"],
      BASE_ENV,
      "--collect.default-timeout: must be at most 10m",
    ],
    [
      "a timeout offset as long as the default timeout",
      ["--avepoint.client-id=a", "--collect.default-timeout=10s", "--collect.timeout-offset=10s"],
      BASE_ENV,
      "--collect.timeout-offset: must be shorter than --collect.default-timeout (10s), got 10s",
    ],
    [
      "a request timeout below a millisecond",
      ["--avepoint.client-id=a", "--avepoint.request-timeout=0s"],
      BASE_ENV,
      "--avepoint.request-timeout: must be at least 1ms",
    ],
  ])("rejects %s with one line naming the setting", (_name, argv, env, message) => {
    let error: unknown;
    try {
      parseConfig(argv, env, readFile);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toContain(message);
    expect(text).not.toContain("\n");
    // Secret file paths are never echoed: a secret pasted there would otherwise be printed.
    expect(text).not.toContain("/nope");
  });

  it("prints the effective settings with the secret masked", () => {
    const parsed = parse(["--avepoint.client-id=a", "--config.check"]);
    expect(parsed.check).toBe(true);
    const text = describeConfig(parsed.config, parsed.sources);
    expect(text).toContain("client secret <secret>");
    expect(text).toContain("(from $AVEPOINT_CLIENT_SECRET)");
    expect(text).not.toContain("s3cr3t");
  });
});

describe("credentials in a URL setting", () => {
  const PASSWORD = "Pa55-in-url-9";
  it.each<[string, string[], Record<string, string>, string]>([
    [
      "--avepoint.api-url",
      ["--avepoint.api-url=https://partner:Pa55-in-url-9@graph.example.com/"],
      {},
      "--avepoint.api-url",
    ],
    [
      "--avepoint.token-url",
      ["--avepoint.token-url=https://id.example.com:Pa55-in-url-9@id.example.com/t"],
      {},
      "--avepoint.token-url",
    ],
    [
      "a user name alone",
      ["--avepoint.token-url=http://Pa55-in-url-9@127.0.0.1:9/t"],
      {},
      "--avepoint.token-url",
    ],
    [
      "$AVEPOINT_API_URL",
      [],
      { AVEPOINT_API_URL: "https://u:Pa55-in-url-9@h.example.com" },
      "AVEPOINT_API_URL",
    ],
    ["the config file", ["--config.file=url-credentials.yml"], {}, "avepoint.api-url in url-credentials.yml"],
    [
      "a malformed URL with a password",
      ["--avepoint.api-url=https://u:Pa55-in-url-9@exa mple.com"],
      {},
      "--avepoint.api-url",
    ],
  ])("are refused, naming the setting without printing them: %s", (_name, argv, env, setting) => {
    let error: unknown;
    try {
      parseConfig(["--avepoint.client-id=a", ...argv], { ...BASE_ENV, ...env }, readFile);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text.startsWith(`${setting}: `), text).toBe(true);
    expect(text).not.toContain("\n");
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain("Pa55");
  });
});

describe("a large config file", () => {
  it("is read in linear time: 100,000 keys, one of them a duplicate, refused at once", () => {
    // Quadratic duplicate-key checking needs minutes for this; the default test timeout is 30 s.
    const lines = ["avepoint:", "  client-id: x", "extra:"];
    for (let i = 0; i < 100_000; i++) lines.push(`  key-number-${i}-with-some-padding: value-${i}`);
    lines.push("  key-number-0-with-some-padding: again");
    files["/big.yml"] = `${lines.join("\n")}\n`;
    expect(files["/big.yml"]!.length).toBeGreaterThan(2_400_000);
    expect(() => parseConfig(["--config.file=/big.yml"], BASE_ENV, readFile)).toThrow(
      '--config.file: cannot read /big.yml: line 100004: duplicate key "key-number-0-with-some-padding"',
    );
    // Without the duplicate: the first unknown key is named.
    files["/big.yml"] = `${lines.slice(0, -1).join("\n")}\n`;
    expect(() => parseConfig(["--config.file=/big.yml"], BASE_ENV, readFile)).toThrow(
      '--config.file: unknown setting "extra" in /big.yml',
    );
  });
});

describe("configuration errors never echo what may be a secret", () => {
  it.each([
    [
      "a secret pasted into AVEPOINT_CLIENT_SECRET_FILE",
      [],
      { AVEPOINT_CLIENT_SECRET_FILE: "pa55-w0rd-value" },
    ],
    ["a secret given as a stray argument", ["pa55-w0rd-value"], BASE_ENV],
    [
      "a secret as the password file flag",
      [
        "--avepoint.certificate-file=/run/secret",
        "--avepoint.private-key-file=/run/secret",
        "--avepoint.private-key-password-file=pa55-w0rd-value",
      ],
      {},
    ],
  ])("%s", (_name, argv, env) => {
    expect(() => parseConfig(["--avepoint.client-id=a", ...argv], env, readFile)).toThrow(ConfigError);
    try {
      parseConfig(["--avepoint.client-id=a", ...argv], env, readFile);
    } catch (err) {
      expect((err as Error).message).not.toContain("pa55-w0rd-value");
    }
  });

  it("refuses a telemetry path under /-/, which basic auth leaves open", () => {
    expect(() =>
      parseConfig(["--avepoint.client-id=a", "--web.telemetry-path=/-/metrics"], BASE_ENV, readFile),
    ).toThrow("--web.telemetry-path");
  });
});
