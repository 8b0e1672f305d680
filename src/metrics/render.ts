/**
 * View → exposition text for the collected series. Built afresh on every scrape, so whatever is
 * gone upstream is gone from the output; written directly rather than through a per-scrape
 * prom-client Registry, which is several times slower at tens of thousands of profiles (bench/).
 */
import { scanStateOf } from "../avepoint/types.js";
import type { View } from "../collect/snapshot.js";
import { ExpositionWriter, type FamilyWriter, type Labels } from "./exposition.js";
import { METRICS, type MetricKey } from "./names.js";

const SCAN_MODES: Record<number, string> = { 0: "express", 1: "advanced" };
const MANAGEMENT_MODES: Record<number, string> = { 0: "customer", 1: "partner", 2: "to_be_configured" };

const label = (names: Record<number, string>, code: number | null): string =>
  code === null ? "" : (names[code] ?? String(code));

export const renderView = (view: View): string => {
  const out = new ExpositionWriter();
  const gauge = (key: MetricKey): FamilyWriter => out.family(METRICS[key].name, "gauge", METRICS[key].help);

  const profileInfo = gauge("profileInfo");
  const status = gauge("profileStatus");
  const state = gauge("profileState");
  const added = gauge("profileNew");
  const moved = gauge("profileMoved");
  const removed = gauge("profileRemoved");
  const report = gauge("profileDailyReport");
  const modified = gauge("profileModified");
  for (const { customer, profiles } of view.customers) {
    for (const p of profiles) {
      const ids: Labels = [
        ["customer_id", customer.id],
        ["profile_id", p.id],
      ];
      profileInfo.sample(
        [
          ...ids,
          ["customer_name", customer.name],
          ["profile_name", p.name],
          ["tenant_id", p.tenantId],
          ["tenant_domain", p.tenantDomain],
          ["scan_mode", label(SCAN_MODES, p.scanMode)],
        ],
        1,
      );
      status.sample(ids, p.status.lastScanStatus);
      state.sample([...ids, ["state", scanStateOf(p.status.lastScanStatus)]], 1);
      added.sample(ids, p.status.newRegisteredObjects);
      moved.sample(ids, p.status.movedObjects);
      removed.sample(ids, p.status.removedObjects);
      if (p.status.dailyReportTimestamp !== null) report.sample(ids, p.status.dailyReportTimestamp);
      if (p.modifiedTimestamp !== null) modified.sample(ids, p.modifiedTimestamp);
    }
  }

  const customerInfo = gauge("customerInfo");
  const jobStatus = gauge("customerJobStatus");
  const profileCount = gauge("customerProfiles");
  const success = gauge("customerSuccess");
  const lastSuccess = gauge("customerLastSuccess");
  for (const c of view.customers) {
    const id: Labels = [["customer_id", c.customer.id]];
    customerInfo.sample(
      [
        ...id,
        ["customer_name", c.customer.name],
        ["country", c.customer.country],
        ["management_mode", label(MANAGEMENT_MODES, c.customer.managementMode)],
      ],
      1,
    );
    if (c.customer.jobStatus !== null) jobStatus.sample(id, c.customer.jobStatus);
    if (c.success || c.profiles.length > 0) profileCount.sample(id, c.profiles.length);
    success.sample(id, c.success ? 1 : 0);
    if (c.lastSuccess !== null) lastSuccess.sample(id, c.lastSuccess);
  }

  gauge("up").sample([], view.up ? 1 : 0);
  gauge("collectDuration").sample([], view.durationSeconds);
  gauge("lastCollect").sample([], view.collectedAt);
  return out.toString();
};
