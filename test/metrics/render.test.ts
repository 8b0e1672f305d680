/**
 * The exposition of a collection: a golden file for a hand-built view with awkward label text, and
 * `promtool check metrics` on it (a live scrape is in test/integration/exposition.test.ts).
 * Without promtool on PATH the promtool checks skip, unless REQUIRE_PROMETHEUS=1 (CI).
 */
import { describe, expect, it } from "vitest";
import type { Customer, DailyProfile } from "../../src/avepoint/types.js";
import type { View } from "../../src/collect/view.js";
import { renderView } from "../../src/metrics/render.js";
import { parseExposition, series, value } from "../helpers/exposition.js";
import {
  checkMetrics,
  expectGrouped,
  promtoolMissing as missing,
  promtoolNote as skipNote,
} from "../helpers/promtool.js";

const LONG_NAME = `Quarterly compliance scan ${"of every SharePoint site collection ".repeat(8)}`.slice(
  0,
  300,
);

const contoso: Customer = {
  id: "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
  name: 'Contoso "Holdings" & Söhne',
  country: "Germany",
  managementMode: 1,
  jobStatus: 1,
};
const profile = (
  id: string,
  name: string,
  lastScanStatus: number,
  counts: readonly [number, number, number],
  extra: Partial<DailyProfile> = {},
): DailyProfile => ({
  id,
  name,
  scanMode: 0,
  tenantId: "11111111-2222-4333-8444-555555555555",
  tenantDomain: "contoso",
  modifiedTimestamp: 1764000000,
  status: {
    lastScanStatus,
    newRegisteredObjects: counts[0],
    movedObjects: counts[1],
    removedObjects: counts[2],
    dailyReportTimestamp: 1767222000,
  },
  ...extra,
});

const contosoProfiles: readonly DailyProfile[] = [
  profile("a0000000-0000-4000-8000-000000000001", 'Exchange "VIP" mailboxes', 2, [12, 3, 1]),
  profile("a0000000-0000-4000-8000-000000000002", "Scan\\Path\\Profile\\", 3, [0, 0, 0], { scanMode: 1 }),
  profile("a0000000-0000-4000-8000-000000000003", "Line one\nLine two", 4, [7, 0, 2]),
  profile("a0000000-0000-4000-8000-000000000004", "📁 Files & Ordner – Größe ✓", 99, [1, 1, 1], {
    scanMode: null,
  }),
  profile("a0000000-0000-4000-8000-000000000005", LONG_NAME, 12, [0, 0, 0], {
    modifiedTimestamp: null,
    status: {
      lastScanStatus: 12,
      newRegisteredObjects: 0,
      movedObjects: 0,
      removedObjects: 0,
      dailyReportTimestamp: null,
    },
  }),
];

/** Collection failed this time: its last known profiles are served with collect_success 0. */
const northwind: Customer = {
  id: "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d",
  name: "Northwind Traders",
  country: "United States",
  managementMode: 2,
  jobStatus: null,
};
const northwindProfiles: readonly DailyProfile[] = [
  {
    ...profile("b0000000-0000-4000-8000-000000000001", "OneDrive", 7, [0, 0, 0]),
    tenantId: "99999999-8888-4777-8666-555555555555",
    tenantDomain: "northwind",
  },
];

/** Listed in the running round, not yet reached: no collect_success and no data yet. */
const fabrikam: Customer = {
  id: "0f1e2d3c-4b5a-4978-8877-665544332211",
  name: "Fabrikam",
  country: "Canada",
  managementMode: 1,
  jobStatus: 1,
};

const VIEW: View = {
  listing: { ok: true },
  updatedAt: 1767225600,
  round: {
    running: true,
    customers: 3,
    done: 2,
    lastComplete: { endedAt: 1767225000, durationSeconds: 2.375 },
  },
  customers: [
    { customer: contoso, profiles: contosoProfiles, lastSuccess: 1767225600, last: { ok: true } },
    {
      customer: northwind,
      profiles: northwindProfiles,
      lastSuccess: 1767218400,
      last: {
        ok: false,
        reason: "http_5xx",
        message: "GET /customers/{customerId}/scan-profiles: HTTP 503",
      },
    },
    { customer: fabrikam, profiles: [], lastSuccess: null, last: null },
  ],
};

describe("renderView", () => {
  const text = renderView(VIEW);
  const samples = parseExposition(text);

  it("matches the golden exposition", async () => {
    await expect(text).toMatchFileSnapshot("../fixtures/golden/metrics.prom");
  });

  it("writes each family as one group, HELP and TYPE first", () => {
    expect(expectGrouped(text)).toHaveLength(20);
  });

  it("keeps every awkward name intact through escaping", () => {
    const names = series(samples, "avepoint_scan_profile_info").map((s) => s.labels.profile_name);
    expect(names).toEqual([...contosoProfiles, ...northwindProfiles].map((p) => p.name));
    expect(series(samples, "avepoint_customer_info").map((s) => s.labels.customer_name)).toEqual([
      contoso.name,
      northwind.name,
      fabrikam.name,
    ]);
    // Every line is a comment or one sample: no label text broke a line.
    for (const line of text.trimEnd().split("\n"))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? \S+)$/);
  });

  it("names unknown codes `unknown` and keeps a failed customer's last known profiles", () => {
    const id = { customer_id: contoso.id, profile_id: "a0000000-0000-4000-8000-000000000004" };
    expect(value(samples, "avepoint_scan_profile_last_scan_status", id)).toBe(99);
    expect(series(samples, "avepoint_scan_profile_last_scan_state", id).map((s) => s.labels.state)).toEqual([
      "unknown",
    ]);
    const failed = { customer_id: northwind.id };
    expect(value(samples, "avepoint_customer_collect_success", failed)).toBe(0);
    expect(value(samples, "avepoint_customer_scan_profiles", failed)).toBe(1);
    expect(
      series(samples, "avepoint_scan_profile_last_scan_state", failed).map((s) => s.labels.state),
    ).toEqual(["error_start"]);
  });

  it("shows a customer not yet reached by its info only: no result, no data age", () => {
    const pending = { customer_id: fabrikam.id };
    expect(series(samples, "avepoint_customer_info", pending)).toHaveLength(1);
    expect(series(samples, "avepoint_customer_job_status", pending)).toHaveLength(1);
    for (const name of [
      "avepoint_customer_collect_success",
      "avepoint_customer_last_success_timestamp_seconds",
      "avepoint_customer_scan_profiles",
    ])
      expect(series(samples, name, pending), name).toEqual([]);
  });

  it("shows the running round's progress and the last complete round", () => {
    expect(value(samples, "avepoint_up", {})).toBe(1);
    expect(value(samples, "avepoint_collect_round_running", {})).toBe(1);
    expect(value(samples, "avepoint_collect_round_customers", {})).toBe(3);
    expect(value(samples, "avepoint_collect_round_customers_done", {})).toBe(2);
    expect(value(samples, "avepoint_collect_duration_seconds", {})).toBe(2.375);
    expect(value(samples, "avepoint_collect_round_last_end_timestamp_seconds", {})).toBe(1767225000);
    expect(value(samples, "avepoint_last_collect_timestamp_seconds", {})).toBe(1767225600);
  });

  it("leaves the listing and round values out until they are known", () => {
    const empty = parseExposition(
      renderView({
        listing: null,
        updatedAt: null,
        round: { running: true, customers: 0, done: 0, lastComplete: null },
        customers: [],
      }),
    );
    for (const name of [
      "avepoint_up",
      "avepoint_collect_duration_seconds",
      "avepoint_last_collect_timestamp_seconds",
      "avepoint_collect_round_last_end_timestamp_seconds",
    ])
      expect(series(empty, name), name).toEqual([]);
    expect(value(empty, "avepoint_collect_round_running", {})).toBe(1);
  });

  it.skipIf(missing)(`passes promtool check metrics${skipNote}`, async () => {
    const { code, output } = await checkMetrics(text);
    expect(output).toBe("");
    expect(code).toBe(0);
  });
});
