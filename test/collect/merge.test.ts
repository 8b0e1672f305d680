import { describe, expect, it } from "vitest";
import type { Customer } from "../../src/avepoint/types.js";
import { mergeSnapshot } from "../../src/collect/merge.js";
import type { ResolvedProfile, Snapshot, View } from "../../src/collect/snapshot.js";

const customer = (id: string): Customer => ({
  id,
  name: id,
  country: "",
  managementMode: null,
  jobStatus: null,
});
const profile = (id: string): ResolvedProfile => ({
  id,
  name: id,
  scanMode: 0,
  tenantId: "",
  tenantDomain: "",
  modifiedTimestamp: null,
  status: {
    lastScanStatus: 2,
    newRegisteredObjects: 0,
    movedObjects: 0,
    removedObjects: 0,
    dailyReportTimestamp: null,
  },
});
const snapshot = (at: number, up: boolean, customers: Snapshot["customers"]): Snapshot => ({
  startedAt: at * 1000,
  durationSeconds: 1,
  up,
  upError: up ? null : { reason: "http_5xx", message: "listing failed" },
  customers,
});

describe("merging a collection with what was known", () => {
  const first: View = mergeSnapshot(
    null,
    snapshot(1000, true, [
      { ok: true, customer: customer("a"), profiles: [profile("p1")] },
      { ok: false, customer: customer("never"), reason: "forbidden", message: "403" },
    ]),
    600,
  );

  it("keeps a failing customer's last known profiles while fresh, then drops the values", () => {
    const failing = snapshot(1100, true, [
      { ok: false, customer: customer("a"), reason: "timeout", message: "deadline" },
      { ok: false, customer: customer("never"), reason: "forbidden", message: "403" },
    ]);
    const view = mergeSnapshot(first, failing, 600);
    expect(view.customers.find((c) => c.customer.id === "a")).toMatchObject({
      success: false,
      lastSuccess: 1000,
      profiles: [profile("p1")],
    });
    const late = mergeSnapshot(view, { ...failing, startedAt: 1700 * 1000 }, 600);
    expect(late.customers.find((c) => c.customer.id === "a")).toMatchObject({
      success: false,
      lastSuccess: 1000,
      profiles: [],
    });
  });

  it("drops a customer that a complete listing no longer has", () => {
    const view = mergeSnapshot(
      first,
      snapshot(1100, true, [{ ok: true, customer: customer("a"), profiles: [] }]),
      600,
    );
    expect(view.customers.map((c) => c.customer.id)).toEqual(["a"]);
  });

  it("keeps every known customer, failed, when the listing fails — even one never collected", () => {
    const view = mergeSnapshot(first, snapshot(1100, false, []), 600);
    expect(view.customers.map((c) => [c.customer.id, c.success, c.profiles.length])).toEqual([
      ["a", false, 1],
      ["never", false, 0],
    ]);
    expect(view.customers.every((c) => c.error?.reason === "http_5xx")).toBe(true);
  });
});
