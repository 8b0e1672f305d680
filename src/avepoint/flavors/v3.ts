/** Flavor `v3` (September 2025): the scan-profile list already carries status and counts. */
import type { ApiClient } from "../client.js";
import { normalizeCustomer, normalizeDaily, normalizeProfile } from "../normalize.js";
import { segment } from "../path.js";
import type { CallContext } from "../call-context.js";
import type { Customer, DailyProfile, ScanProfile } from "../types.js";
import { completeProfiles } from "./complete.js";
import type { PartnerApi } from "./partner-api.js";
import { allPages, MAX_PAGES, pagedByIndex } from "./paging.js";

const BASE = "/partner/external/v3/general/customers";
const CUSTOMERS = `GET ${BASE}`;
const PROFILES = `GET ${BASE}/{customerId}/scan-profiles`;
const DAILY = `GET ${BASE}/{customerId}/scan-profiles-v2/{scanProfileId}`;

export class V3Api implements PartnerApi {
  readonly flavor = "v3";

  constructor(private readonly client: ApiClient) {}

  listCustomers(ctx: CallContext, onPage: (customers: readonly Customer[]) => void): Promise<void> {
    const request = { method: "GET", path: BASE, endpoint: CUSTOMERS } as const;
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
    const path = `${BASE}/${segment(customerId, PROFILES)}/scan-profiles`;
    const request = { method: "GET", path, endpoint: PROFILES } as const;
    return allPages((onPage) =>
      pagedByIndex(
        this.client,
        { request, map: normalizeProfile, maxPages: MAX_PAGES.profiles, onPage },
        ctx,
      ),
    );
  }

  profileDaily(customerId: string, profileId: string, ctx: CallContext): Promise<DailyProfile> {
    const path = `${BASE}/${segment(customerId, DAILY)}/scan-profiles-v2/${segment(profileId, DAILY)}`;
    return this.client.read({ method: "GET", path, endpoint: DAILY }, ctx, normalizeDaily);
  }
}
