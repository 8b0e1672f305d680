/** Domain records for tests that need a customer or a complete profile and do not care about its values. */
import type { Customer, DailyProfile } from "../../src/avepoint/types.js";

export const customer = (id: string): Customer => ({
  id,
  name: `Customer ${id}`,
  country: "",
  managementMode: null,
  jobStatus: null,
});

export const dailyProfile = (id: string, lastScanStatus = 2): DailyProfile => ({
  id,
  name: `Profile ${id}`,
  scanMode: 0,
  tenantId: "t",
  tenantDomain: "tenant.example",
  modifiedTimestamp: 1_700_000_000,
  status: {
    lastScanStatus,
    newRegisteredObjects: 1,
    movedObjects: 2,
    removedObjects: 3,
    dailyReportTimestamp: 1_700_000_100,
  },
});
