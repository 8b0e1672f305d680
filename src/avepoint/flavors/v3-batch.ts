/** Flavor `v3-batch` (October 2025 onward): POST batch lists, status from each profile's /changes. */
import type { ApiClient } from "../client.js";
import { normalizeCustomer, normalizeDaily, normalizeProfile } from "../normalize.js";
import { segment } from "../path.js";
import type { CallContext } from "../call-context.js";
import type { Customer, DailyProfile, ScanProfile } from "../types.js";
import { completeProfiles } from "./complete.js";
import type { PartnerApi } from "./partner-api.js";
import { allPages, MAX_PAGES, pagedByIndex } from "./paging.js";

const BASE = "/partner/external/v3/general/customers";
const CUSTOMERS = `POST ${BASE}/batch`;
const PROFILES = `POST ${BASE}/{customerId}/scan-profiles/batch`;
const CHANGES = `GET ${BASE}/{customerId}/scan-profiles/{scanProfileId}/changes`;

export class V3BatchApi implements PartnerApi {
  readonly flavor = "v3-batch";

  constructor(private readonly client: ApiClient) {}

  listCustomers(ctx: CallContext, onPage: (customers: readonly Customer[]) => void): Promise<void> {
    const request = { method: "POST", path: `${BASE}/batch`, endpoint: CUSTOMERS, body: {} } as const;
    return pagedByIndex(
      this.client,
      { request, map: normalizeCustomer, maxPages: MAX_PAGES.customers, onPage },
      ctx,
    );
  }

  async profiles(customerId: string, ctx: CallContext): Promise<readonly DailyProfile[]> {
    const listed = await this.listProfiles(customerId, ctx);
    return completeProfiles(listed, (profileId) => this.profileDaily(customerId, profileId, ctx));
  }

  /** The profile list as it comes; rows may lack status (the newer flavors' always do). */
  listProfiles(customerId: string, ctx: CallContext): Promise<readonly ScanProfile[]> {
    const path = `${BASE}/${segment(customerId, PROFILES)}/scan-profiles/batch`;
    const request = { method: "POST", path, endpoint: PROFILES, body: {} } as const;
    return allPages((onPage) =>
      pagedByIndex(
        this.client,
        { request, map: normalizeProfile, maxPages: MAX_PAGES.profiles, onPage },
        ctx,
      ),
    );
  }

  profileDaily(customerId: string, profileId: string, ctx: CallContext): Promise<DailyProfile> {
    const path = `${BASE}/${segment(customerId, CHANGES)}/scan-profiles/${segment(profileId, CHANGES)}/changes`;
    return this.client.read({ method: "GET", path, endpoint: CHANGES }, ctx, normalizeDaily);
  }
}
