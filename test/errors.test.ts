import { describe, expect, it } from "vitest";
import {
  AuthError,
  ConfigError,
  DeadlineError,
  isAuthError,
  isConfigError,
  isParseError,
  isDeadlineError,
  isUpstreamError,
  isUpstreamHttpError,
  isUpstreamLimitError,
  ParseError,
  reasonOf,
  UpstreamHttpError,
  UpstreamLimitError,
} from "../src/errors.js";

describe("the error hierarchy", () => {
  it("has a guard per class that also accepts the subclasses", () => {
    const http = new UpstreamHttpError(404, "GET /x");
    expect(isUpstreamError(http)).toBe(true);
    expect(isUpstreamHttpError(http)).toBe(true);
    expect(isUpstreamHttpError(http, 404)).toBe(true);
    expect(isUpstreamHttpError(http, 500)).toBe(false);
    expect(isUpstreamError(new AuthError("no"))).toBe(true);
    expect(isAuthError(new AuthError("no"))).toBe(true);
    expect(isParseError(new ParseError("bad", "GET /x"))).toBe(true);
    expect(isUpstreamLimitError(new UpstreamLimitError("big", "too_large", "GET /x"))).toBe(true);
    expect(isDeadlineError(new DeadlineError("late", "throttled"))).toBe(true);
    expect(isDeadlineError(new UpstreamHttpError(503, "GET /x"))).toBe(false);
    // The round's bound is not AvePoint's doing.
    expect(isUpstreamError(new DeadlineError("late"))).toBe(false);
    expect(isConfigError(new ConfigError("--a", "bad"))).toBe(true);
    for (const guard of [isUpstreamError, isParseError, isConfigError, isDeadlineError])
      expect(guard(new Error("plain"))).toBe(false);
  });

  it.each<[unknown, string]>([
    [new UpstreamHttpError(302, "GET /x"), "http_3xx"],
    [new UpstreamHttpError(429, "GET /x"), "throttled"],
    [new UpstreamHttpError(403, "GET /x"), "forbidden"],
    [new UpstreamHttpError(418, "GET /x"), "http_4xx"],
    [new UpstreamHttpError(502, "GET /x"), "http_5xx"],
    [new UpstreamLimitError("next link", "unsafe_link", "GET /x"), "unsafe_link"],
    [new DeadlineError(), "timeout"],
    [new DeadlineError("GET /x: aborted", "throttled"), "throttled"],
    [new Error("socket hang up"), "network"],
  ])("gives %s the reason %s", (err, reason) => {
    expect(reasonOf(err)).toBe(reason);
  });

  it("counts an unsafe link as an unsafe_link problem and a paging limit as a paging one", () => {
    expect(new UpstreamLimitError("x", "unsafe_link", "e").problem).toBe("unsafe_link");
    expect(new UpstreamLimitError("x", "paging", "e").problem).toBe("paging");
  });
});
