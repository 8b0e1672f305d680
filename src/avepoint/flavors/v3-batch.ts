/** Flavor `v3-batch` (October 2025 onward): POST batch lists, status from each profile's /changes. */
import type { ApiClient } from "../client.js";
import { normalizeCustomer, normalizeProfile } from "../normalize.js";
import type { CallContext } from "../timing.js";
import type { Customer, DailyProfile, ScanProfile } from "../types.js";
import { PAGE_SIZE, type PartnerApi } from "./partner-api.js";
import { pagedByIndex } from "./paging.js";
import { readDaily } from "./v3.js";

const BASE = "/partner/external/v3/general/customers";
const CUSTOMERS = `POST ${BASE}/batch`;
const PROFILES = `POST ${BASE}/{customerId}/scan-profiles/batch`;
const CHANGES = `GET ${BASE}/{customerId}/scan-profiles/{scanProfileId}/changes`;

export class V3BatchApi implements PartnerApi {
  readonly flavor = "v3-batch";

  constructor(private readonly client: ApiClient) {}

  listCustomers(ctx: CallContext, onPage: (customers: readonly Customer[]) => void): Promise<void> {
    return pagedByIndex(
      this.client,
      (pageIndex) => ({
        method: "POST",
        path: `${BASE}/batch`,
        endpoint: CUSTOMERS,
        query: { pageIndex, pageSize: PAGE_SIZE },
        body: {},
      }),
      ctx,
      normalizeCustomer,
      onPage,
    );
  }

  async listProfiles(customerId: string, ctx: CallContext): Promise<readonly ScanProfile[]> {
    const profiles: ScanProfile[] = [];
    await pagedByIndex(
      this.client,
      (pageIndex) => ({
        method: "POST",
        path: `${BASE}/${encodeURIComponent(customerId)}/scan-profiles/batch`,
        endpoint: PROFILES,
        query: { pageIndex, pageSize: PAGE_SIZE },
        body: {},
      }),
      ctx,
      normalizeProfile,
      (page) => profiles.push(...page),
    );
    return profiles;
  }

  async profileDaily(customerId: string, profileId: string, ctx: CallContext): Promise<DailyProfile> {
    const path = `${BASE}/${encodeURIComponent(customerId)}/scan-profiles/${encodeURIComponent(profileId)}/changes`;
    const body = await this.client.json({ method: "GET", path, endpoint: CHANGES }, ctx);
    return readDaily(this.client, body, CHANGES);
  }
}
