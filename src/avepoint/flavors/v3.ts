/** Flavor `v3` (September 2025): the scan-profile list already carries status and counts. */
import type { ApiClient } from "../client.js";
import { normalizeCustomer, normalizeProfile } from "../normalize.js";
import type { CallContext } from "../timing.js";
import type { Customer, DailyProfile, ScanProfile } from "../types.js";
import type { PartnerApi } from "./partner-api.js";
import { allPages, pagedByIndex, readDaily } from "./paging.js";

const BASE = "/partner/external/v3/general/customers";
const CUSTOMERS = `GET ${BASE}`;
const PROFILES = `GET ${BASE}/{customerId}/scan-profiles`;
const DAILY = `GET ${BASE}/{customerId}/scan-profiles-v2/{scanProfileId}`;

export class V3Api implements PartnerApi {
  readonly flavor = "v3";

  constructor(private readonly client: ApiClient) {}

  listCustomers(ctx: CallContext, onPage: (customers: readonly Customer[]) => void): Promise<void> {
    return pagedByIndex(
      this.client,
      { method: "GET", path: BASE, endpoint: CUSTOMERS },
      ctx,
      normalizeCustomer,
      onPage,
    );
  }

  listProfiles(customerId: string, ctx: CallContext): Promise<readonly ScanProfile[]> {
    const path = `${BASE}/${encodeURIComponent(customerId)}/scan-profiles`;
    return allPages((onPage) =>
      pagedByIndex(this.client, { method: "GET", path, endpoint: PROFILES }, ctx, normalizeProfile, onPage),
    );
  }

  async profileDaily(customerId: string, profileId: string, ctx: CallContext): Promise<DailyProfile> {
    const body = await this.client.json(
      {
        method: "GET",
        path: `${BASE}/${encodeURIComponent(customerId)}/scan-profiles-v2/${encodeURIComponent(profileId)}`,
        endpoint: DAILY,
      },
      ctx,
    );
    return readDaily(this.client, body, DAILY);
  }
}
