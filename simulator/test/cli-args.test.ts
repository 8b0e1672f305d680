import { describe, expect, it } from "vitest";
import { CliError, parseCliArgs } from "../src/cli-args.js";

describe("simulator command line", () => {
  it("has defaults", () => {
    expect(parseCliArgs([])).toEqual({
      options: { host: "127.0.0.1", port: 10124, faults: {} },
      certificateFile: null,
      help: false,
      demoFailures: false,
    });
  });

  it("reads every flag", () => {
    const args = parseCliArgs([
      "--listen-address=0.0.0.0:8080",
      "--flavor=modern",
      "--customers=100",
      "--profiles=7",
      "--seed=3",
      "--client-id=abc",
      "--client-secret=",
      "--client-certificate-file=/tmp/c.pem",
      "--latency-ms=50",
      "--latency-jitter-ms=10",
      "--error-rate=0.1",
      "--throttle-rate=0.2",
      "--throttle-burst=4",
      "--customers-throttle-burst=2",
      "--retry-after=none",
      "--rate-limit=40",
      "--rate-limit-burst=80",
      "--malformed-json-rate=0.05",
      "--fail-customers=a=500,b=403,c=badjson,d=hang,e=missing-field",
      "--token-status=503",
      "--token-lifetime-seconds=60",
      "--incomplete-row-rate=0.5",
      "--modern-daily-routes=legacy",
      "--demo-failures",
    ]);
    expect(args).toEqual({
      options: {
        host: "0.0.0.0",
        port: 8080,
        flavor: "modern",
        customers: 100,
        profilesPerCustomer: 7,
        seed: 3,
        clientId: "abc",
        clientSecret: null,
        incompleteRowRate: 0.5,
        modernDailyRoutes: "legacy",
        faults: {
          latencyMs: 50,
          latencyJitterMs: 10,
          errorRate: 0.1,
          throttleRate: 0.2,
          throttleBurst: 4,
          customersThrottleBurst: 2,
          retryAfter: null,
          rateLimit: 40,
          rateLimitBurst: 80,
          malformedJsonRate: 0.05,
          failCustomers: { a: 500, b: 403, c: "badjson", d: "hang", e: "missing-field" },
          tokenStatus: 503,
          tokenLifetimeSeconds: 60,
        },
      },
      certificateFile: "/tmp/c.pem",
      help: false,
      demoFailures: true,
    });
  });

  it.each([
    ["--rate-limit=0", null],
    ["--rate-limit=off", null],
    ["--rate-limit=0.5", 0.5],
  ])("reads %s as rate limit %j", (flag, rateLimit) => {
    expect(parseCliArgs([flag]).options.faults).toEqual({ rateLimit });
  });

  it("passes any printable Retry-After text through", () => {
    expect(parseCliArgs(["--retry-after=Fri, 31 Dec 9999 23:59:59 GMT"]).options.faults).toEqual({
      retryAfter: "Fri, 31 Dec 9999 23:59:59 GMT",
    });
  });

  it.each([
    [["--flavor=v4"], "--flavor"],
    [["--customers=-1"], "--customers"],
    [["--error-rate=1.5"], "--error-rate"],
    [["--listen-address=nope"], "--listen-address"],
    [["--fail-customers=a=teapot"], "--fail-customers"],
    [["--token-status=200"], "--token-status"],
    [["--modern-daily-routes=all"], "--modern-daily-routes"],
    [["--rate-limit=-1"], "--rate-limit"],
    [["--rate-limit=fast"], "--rate-limit"],
    [["--rate-limit-burst=0.5"], "--rate-limit-burst"],
    [["--customers-throttle-burst=1.5"], "--customers-throttle-burst"],
    [["--retry-after=1\nX-Evil: 1"], "--retry-after"],
    [["--bogus"], "--bogus"],
  ])("refuses %j naming %s", (argv, flag) => {
    expect(() => parseCliArgs(argv)).toThrow(CliError);
    expect(() => parseCliArgs(argv)).toThrow(flag);
  });
});
