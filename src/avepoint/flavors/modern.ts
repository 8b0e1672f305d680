/**
 * Flavor `modern` (2024–2025, OData): lists in `value` with next links; the daily endpoint under
 * several spellings — try each in turn on 404 and remember the one that answered.
 */
import { isUpstreamHttpError } from "../../errors.js";
import type { CallContext } from "../call-context.js";
import type { ApiClient, JsonRequest } from "../client.js";
import { normalizeDaily } from "../normalize.js";
import { segment } from "../path.js";
import type { DailyProfile } from "../types.js";
import { PagedFlavor } from "./paged-flavor.js";

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

/** Every endpoint template this flavor calls with these daily routes (the `endpoint` label of its metrics). */
export const modernEndpoints = (dailyRoute: "auto" | DailyRoute): readonly string[] => [
  CUSTOMERS,
  PROFILES,
  ...(dailyRoute === "auto" ? (["legacy", "summary"] as const) : [dailyRoute]).map(
    (route) => DAILY_ROUTES[route].endpoint,
  ),
];

export class ModernApi extends PagedFlavor {
  readonly flavor = "modern";
  protected readonly paging = "nextLink";
  private readonly routes: readonly DailyRoute[];
  private remembered: DailyRoute | null = null;

  constructor(client: ApiClient, dailyRoute: "auto" | DailyRoute = "auto") {
    super(client);
    this.routes = dailyRoute === "auto" ? ["legacy", "summary"] : [dailyRoute];
  }

  protected customersRequest(): JsonRequest {
    return { method: "GET", path: "/partner/customers", endpoint: CUSTOMERS };
  }

  protected profilesRequest(customerId: string): JsonRequest {
    return {
      method: "GET",
      path: `/partner/customers/${segment(customerId, PROFILES)}/scanProfiles`,
      endpoint: PROFILES,
    };
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
        const tryNext = isUpstreamHttpError(err, 404) && i < candidates.length - 1;
        if (!tryNext) throw err;
      }
    }
    throw new Error("unreachable: no daily route candidates");
  }
}
