/**
 * Escaping as exposition format 0.0.4 requires
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details): in label
 * values backslash, double quote and line feed become \\, \" and \n, nothing else changes; in HELP
 * only backslash and line feed are escaped.
 */
import { describe, expect, it } from "vitest";
import type { View } from "../../src/collect/view.js";
import { familyHeader, formatValue } from "../../src/metrics/exposition.js";
import { renderView } from "../../src/metrics/render.js";
import { parseExposition } from "../helpers/exposition.js";

/** One customer named `name` with one profile named `name`. */
const viewNamed = (name: string): View => ({
  listing: { ok: true },
  updatedAt: 1767225600,
  round: {
    running: false,
    customers: 1,
    done: 1,
    lastComplete: { endedAt: 1767225600, durationSeconds: 1 },
  },
  customers: [
    {
      customer: { id: "c1", name, country: "Germany", managementMode: 0, jobStatus: 1 },
      profiles: [
        {
          id: "p1",
          name,
          scanMode: 0,
          tenantId: "t1",
          tenantDomain: "contoso",
          modifiedTimestamp: 1767000000,
          status: {
            lastScanStatus: 2,
            newRegisteredObjects: 1,
            movedObjects: 2,
            removedObjects: 3,
            dailyReportTimestamp: 1767200000,
          },
        },
      ],
      lastSuccess: 1767225600,
      last: { ok: true },
    },
  ],
});

const lineOf = (text: string, metric: string): string =>
  text.split("\n").find((line) => line.startsWith(`${metric}{`)) ?? "";

describe("label values", () => {
  it.each([
    ["plain", "plain"],
    ["a\\b", "a\\\\b"],
    ['say "hi"', 'say \\"hi\\"'],
    ["one\ntwo", "one\\ntwo"],
    ["C:\\Scans\\", "C:\\\\Scans\\\\"],
    // A backslash before a quote, and a literal backslash-n: each character escaped on its own.
    ['\\"', '\\\\\\"'],
    ["\\n", "\\\\n"],
    ["\n\n", "\\n\\n"],
    ["tab\there", "tab\there"],
    ["📁 Größe – 日本語", "📁 Größe – 日本語"],
    ["", ""],
  ])("%j is written as %j", (name, escaped) => {
    const text = renderView(viewNamed(name));
    expect(lineOf(text, "avepoint_scan_profile_info")).toContain(
      `,customer_name="${escaped}",profile_name="${escaped}",`,
    );
    expect(lineOf(text, "avepoint_customer_info")).toContain(`,customer_name="${escaped}",`);
    const info = parseExposition(text).find((s) => s.name === "avepoint_scan_profile_info");
    expect(info?.labels).toMatchObject({ customer_name: name, profile_name: name });
  });

  it("never lets a value break a line or the label set", () => {
    const nasty = '"} 666\nevil_metric{x="1';
    const text = renderView(viewNamed(nasty));
    expect(text).not.toMatch(/^evil_metric/m);
    for (const line of text.trimEnd().split("\n"))
      expect(line).toMatch(/^(# (HELP|TYPE) avepoint_\w+ .+|avepoint_\w+(\{.*\})? \S+)$/);
    expect(parseExposition(text).filter((s) => s.labels.profile_name === nasty)).toHaveLength(1);
  });
});

describe("HELP", () => {
  it.each([
    ["Plain help.", "Plain help."],
    ["a\\b", "a\\\\b"],
    ["one\ntwo", "one\\ntwo"],
    ['says "quoted"', 'says "quoted"'],
    ["\\n", "\\\\n"],
  ])("%j is written as %j", (help, escaped) => {
    expect(familyHeader("m", "gauge", help)).toBe(`# HELP m ${escaped}\n# TYPE m gauge\n`);
  });
});

describe("values", () => {
  it.each([
    [0, "0"],
    [-0, "0"],
    [42, "42"],
    [1.5, "1.5"],
    [-3, "-3"],
    [1767225600, "1767225600"],
    [1e21, "1e+21"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "+Inf"],
    [Number.NEGATIVE_INFINITY, "-Inf"],
  ])("%d is written as %s", (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});
