/**
 * Flavor `modern` (2024–2025, OData): lists in `value` with next links; the daily endpoint under
 * several spellings — try each in turn on 404 and remember the one that answered.
 */
import { UpstreamHttpError } from "../../errors.js";
import type { ApiClient } from "../client.js";
import { normalizeCustomer, normalizeProfile } from "../normalize.js";
import type { CallContext } from "../timing.js";
import type { Customer, DailyProfile, ScanProfile } from "../types.js";
import type { PartnerApi } from "./partner-api.js";
import { allPages, pagedByNextLink, readDaily } from "./paging.js";

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
    return pagedByNextLink(
      this.client,
      { method: "GET", path: "/partner/customers", endpoint: CUSTOMERS },
      ctx,
      normalizeCustomer,
      onPage,
    );
  }

  listProfiles(customerId: string, ctx: CallContext): Promise<readonly ScanProfile[]> {
    const path = `/partner/customers/${encodeURIComponent(customerId)}/scanProfiles`;
    return allPages((onPage) =>
      pagedByNextLink(
        this.client,
        { method: "GET", path, endpoint: PROFILES },
        ctx,
        normalizeProfile,
        onPage,
      ),
    );
  }

  async profileDaily(customerId: string, profileId: string, ctx: CallContext): Promise<DailyProfile> {
    // The route that answered last comes first; on a 404 the others are tried again, since
    // AvePoint renamed this endpoint once already.
    const remembered = this.remembered;
    const candidates =
      remembered === null ? this.routes : [remembered, ...this.routes.filter((r) => r !== remembered)];
    const c = encodeURIComponent(customerId);
    const p = encodeURIComponent(profileId);
    for (const [i, name] of candidates.entries()) {
      const route = DAILY_ROUTES[name];
      try {
        const body = await this.client.json(
          { method: "GET", path: route.path(c, p), endpoint: route.endpoint },
          ctx,
        );
        this.remembered = name;
        return readDaily(this.client, body, route.endpoint);
      } catch (err) {
        const tryNext = err instanceof UpstreamHttpError && err.status === 404 && i < candidates.length - 1;
        if (!tryNext) throw err;
      }
    }
    throw new Error("unreachable: no daily route candidates");
  }
}
