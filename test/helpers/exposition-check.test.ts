/** The duplicate-series check itself: it must see what promtool lets through. */
import { describe, expect, it } from "vitest";
import { expositionProblems, seriesCount } from "./exposition-check.js";

const family = (lines: string[]): string =>
  ["# HELP m_total Some counter.", "# TYPE m_total counter", ...lines, ""].join("\n");

describe("expositionProblems", () => {
  it("passes a valid exposition", () => {
    const text = [
      family(['m_total{a="1",b="x"} 1', 'm_total{a="2",b="x"} 2']).trimEnd(),
      "# HELP h Some histogram.",
      "# TYPE h histogram",
      'h_bucket{le="1"} 0',
      'h_bucket{le="+Inf"} 1',
      "h_sum 0.5",
      "h_count 1",
      "# TYPE g gauge",
      'g{name="quote \\" backslash \\\\ newline \\n"} NaN',
      "",
    ].join("\n");
    expect(expositionProblems(text)).toEqual([]);
    expect(seriesCount(text)).toBe(7);
  });

  it.each([
    { name: "the same series twice", lines: ['m_total{a="1"} 1', 'm_total{a="1"} 2'] },
    { name: "the same labels in another order", lines: ['m_total{a="1",b="2"} 1', 'm_total{b="2",a="1"} 1'] },
    { name: "the same series without labels", lines: ["m_total 1", "m_total{} 1"] },
  ])("finds $name", ({ lines }) => {
    expect(expositionProblems(family(lines)).join("\n")).toMatch(/duplicate series/);
  });

  it.each([
    { name: "a bad value", text: family(["m_total one"]), problem: /bad value/ },
    { name: "a sample without TYPE", text: "x 1\n", problem: /without a TYPE/ },
    {
      name: "a split family",
      text: family(["m_total 1"]) + '# TYPE g gauge\ng 1\nm_total{a="b"} 1\n',
      problem: /split/,
    },
    { name: "an unterminated label", text: family(['m_total{a="1} 1']), problem: /unreadable/ },
    { name: "a missing final newline", text: family(["m_total 1"]).trimEnd(), problem: /newline/ },
  ])("finds $name", ({ text, problem }) => {
    expect(expositionProblems(text).join("\n")).toMatch(problem);
  });
});
