/**
 * Flavor `modern` (2024–2025, OData): lists in `value` with next links; the daily endpoint under
 * several spellings — try each in turn on 404 and remember the one that answered.
 */
import { UpstreamHttpError } from "../../errors.js";
import type { ApiClient } from "../client.js";
import { normalizeCustomer, normalizeDaily, normalizeProfile } from "../normalize.js";
import { segment } from "../path.js";
import type { CallContext } from "../call-context.js";
import type { Customer, DailyProfile, ScanProfile } from "../types.js";
import { completeProfiles } from "./complete.js";
import type { PartnerApi } from "./partner-api.js";
import { allPages, MAX_PAGES, pagedByNextLink } from "./paging.js";

const CUSTOMERS = "GET /partner/customers";
const PROFILES = "GET /partner/customers/{id}/scanProfiles";

export const DAILY_ROUTES = {
  legacy: {
    endpoint: "GET /partner/Customers/{id}/ScanProfilesDailyNew/ProfileId/{ProfileId}",
    path: (c: string, p: string) => `/partner/Customers/${c}/ScanProfilesDailyNew/ProfileId/${p}`,
  },
  summary: {
    endpoint: "GET /partner/customers/{id}/scanProfiles/{ProfileId}/dailyNewSummary",
    path: (c: string, p: string) => `/partner/customers/${c}/scanProfiles/${p}/dailyNewSummary`,
  },
} as const;
export type DailyRoute = keyof typeof DAILY_ROUTES;

export class ModernApi implements PartnerApi {
  readonly flavor = "modern";
  private readonly routes: readonly DailyRoute[];
  private remembered: DailyRoute | null = null;

  constructor(
    private readonly client: ApiClient,
    dailyRoute: "auto" | DailyRoute = "auto",
  ) {
    this.routes = dailyRoute === "auto" ? ["legacy", "summary"] : [dailyRoute];
  }

  /** The daily route in use once one has answered (for logs and tests). */
  get dailyRoute(): DailyRoute | null {
    return this.remembered;
  }

  listCustomers(ctx: CallContext, onPage: (customers: readonly Customer[]) => void): Promise<void> {
    const request = { method: "GET", path: "/partner/customers", endpoint: CUSTOMERS } as const;
    return pagedByNextLink(
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
    const path = `/partner/customers/${segment(customerId, PROFILES)}/scanProfiles`;
    const request = { method: "GET", path, endpoint: PROFILES } as const;
    return allPages((onPage) =>
      pagedByNextLink(
        this.client,
        { request, map: normalizeProfile, maxPages: MAX_PAGES.profiles, onPage },
        ctx,
      ),
    );
  }

  async profileDaily(customerId: string, profileId: string, ctx: CallContext): Promise<DailyProfile> {
    // The route that answered last comes first; on a 404 the others are tried again, since
    // AvePoint renamed this endpoint once already.
    const remembered = this.remembered;
    const candidates =
      remembered === null ? this.routes : [remembered, ...this.routes.filter((r) => r !== remembered)];
    const c = segment(customerId, DAILY_ROUTES.legacy.endpoint);
    const p = segment(profileId, DAILY_ROUTES.legacy.endpoint);
    for (const [i, name] of candidates.entries()) {
      const route = DAILY_ROUTES[name];
      try {
        const daily = await this.client.read(
          { method: "GET", path: route.path(c, p), endpoint: route.endpoint },
          ctx,
          normalizeDaily,
        );
        this.remembered = name;
        return daily;
      } catch (err) {
        const tryNext = err instanceof UpstreamHttpError && err.status === 404 && i < candidates.length - 1;
        if (!tryNext) throw err;
      }
    }
    throw new Error("unreachable: no daily route candidates");
  }
}
