import { describe, expect, it } from "vitest";
import { nullObserver } from "../../src/avepoint/observer.js";
import { withProblemLog } from "../../src/avepoint/problem-log.js";

describe("problem log", () => {
  it("logs the first problem of a kind at once and counts repeats within a minute into the next line", () => {
    const lines: Record<string, unknown>[] = [];
    let counted = 0;
    let now = 0;
    const observer = withProblemLog(
      { ...nullObserver, parseError: () => counted++ },
      { warn: (obj) => lines.push(obj as Record<string, unknown>) },
      () => now,
    );
    for (let i = 0; i < 1000; i++) observer.parseError("GET /x", "record", "row without id");
    observer.parseError("GET /x", "duplicate", "duplicate ID");
    expect(counted).toBe(1001);
    expect(lines).toHaveLength(2);
    now = 61_000;
    observer.parseError("GET /x", "record", "row without id");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ endpoint: "GET /x", reason: "record", repeated: 999 });
  });

  it("logs a capped Retry-After", () => {
    const lines: string[] = [];
    const observer = withProblemLog(nullObserver, { warn: (_o, msg) => lines.push(msg) });
    observer.retryAfterCapped("GET /x", 1e9, 120);
    observer.retryAfterCapped("GET /x", 1e9, 120);
    expect(lines).toEqual(["Retry-After beyond --avepoint.max-retry-after; pausing for the cap instead"]);
  });
});
