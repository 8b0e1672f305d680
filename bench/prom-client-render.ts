/** The alternative measured by the benchmark: a fresh prom-client Registry per scrape. */
import { Gauge, Registry } from "prom-client";
import { scanStateOf } from "../src/avepoint/types.js";
import type { View } from "../src/collect/view.js";
import { METRICS } from "../src/metrics/names.js";

export const renderWithPromClient = async (view: View): Promise<string> => {
  const registry = new Registry();
  const gauge = (key: keyof typeof METRICS, labelNames: string[]) =>
    new Gauge({ name: METRICS[key].name, help: METRICS[key].help, labelNames, registers: [registry] });
  const ids = ["customer_id", "profile_id"];
  const info = gauge("profileInfo", [
    ...ids,
    "customer_name",
    "profile_name",
    "tenant_id",
    "tenant_domain",
    "scan_mode",
  ]);
  const status = gauge("profileStatus", ids);
  const state = gauge("profileState", [...ids, "state"]);
  const added = gauge("profileNew", ids);
  const moved = gauge("profileMoved", ids);
  const removed = gauge("profileRemoved", ids);
  const report = gauge("profileDailyReport", ids);
  const modified = gauge("profileModified", ids);
  for (const { customer, profiles } of view.customers) {
    for (const p of profiles) {
      const l = { customer_id: customer.id, profile_id: p.id };
      info.set(
        {
          ...l,
          customer_name: customer.name,
          profile_name: p.name,
          tenant_id: p.tenantId,
          tenant_domain: p.tenantDomain,
          scan_mode: String(p.scanMode),
        },
        1,
      );
      status.set(l, p.status.lastScanStatus);
      state.set({ ...l, state: scanStateOf(p.status.lastScanStatus) }, 1);
      added.set(l, p.status.newRegisteredObjects);
      moved.set(l, p.status.movedObjects);
      removed.set(l, p.status.removedObjects);
      if (p.status.dailyReportTimestamp !== null) report.set(l, p.status.dailyReportTimestamp);
      if (p.modifiedTimestamp !== null) modified.set(l, p.modifiedTimestamp);
    }
  }
  return registry.metrics();
};
