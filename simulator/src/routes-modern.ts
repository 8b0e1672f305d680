/** Flavor modern (avepoint-api §5.2): OData lists with nextLink paging, one daily call per profile. */
import type { Reply } from "./http-util.js";
import { reply } from "./http-util.js";
import { drawQuirks, modernCustomer, modernDaily, modernProfileRow } from "./modern-wire.js";
import type { ModernQuirks } from "./modern-wire.js";
import { parseSkipToken } from "./paging.js";
import type { RouteContext, Router } from "./routes.js";
import { startsWith, unknownCustomer, unknownProfile } from "./routes.js";

export const MODERN_PAGE_SIZE = 100;

export const MODERN_ENDPOINTS = {
  customers: "GET /partner/customers",
  profiles: "GET /partner/customers/{customerId}/scanProfiles",
  dailyLegacy: "GET /partner/Customers/{customerId}/ScanProfilesDailyNew/ProfileId/{profileId}",
  dailySummary: "GET /partner/customers/{customerId}/scanProfiles/{profileId}/dailyNewSummary",
} as const;

/** An OData page of `items`, with a next link (either spelling) when more remain. */
function odataPage<T>(
  ctx: RouteContext,
  items: readonly T[],
  entity: string,
  map: (item: T, q: ModernQuirks) => unknown,
): Reply {
  const skip = parseSkipToken(ctx.query);
  if (typeof skip !== "number") return skip;
  const q = drawQuirks(ctx.quirkRng, 0.3);
  const body: Record<string, unknown> = {
    "@odata.context": `${ctx.baseUrl}/partner/$metadata#${entity}`,
    value: items.slice(skip, skip + MODERN_PAGE_SIZE).map((item) => map(item, q)),
  };
  const next = skip + MODERN_PAGE_SIZE;
  if (next < items.length) {
    const link = `${ctx.baseUrl}${ctx.path}?$skiptoken=${next}`;
    body[q.plainNextLink ? "nextLink" : "@odata.nextLink"] = link;
  }
  return reply(200, body);
}

function daily(ctx: RouteContext, customerId: string, profileId: string): Reply {
  if (!ctx.store.customer(customerId)) return unknownCustomer(customerId);
  const profile = ctx.store.profile(customerId, profileId);
  if (!profile) return unknownProfile(customerId, profileId);
  const q = drawQuirks(ctx.quirkRng, 0.6);
  return reply(200, modernDaily(profile, q, `${ctx.baseUrl}/partner/$metadata#ScanProfilesDailyNew/$entity`));
}

export const modernRouter: Router = (method, segments, config) => {
  if (method !== "GET" || !startsWith(segments, ["partner", "customers"])) return null;
  const rest = segments.slice(2);
  const [customerId, kind, third, fourth] = rest;
  if (customerId === undefined) {
    return {
      endpoint: MODERN_ENDPOINTS.customers,
      scope: "customers",
      customerId: null,
      handle: (ctx) => odataPage(ctx, ctx.store.allCustomers, "customers", modernCustomer),
    };
  }
  if (kind === "scanprofiles" && rest.length === 2) {
    return {
      endpoint: MODERN_ENDPOINTS.profiles,
      scope: "scanprofiles",
      customerId,
      handle: (ctx) => {
        const profiles = ctx.store.profiles(customerId);
        return profiles
          ? odataPage(ctx, profiles, "scanProfiles", modernProfileRow)
          : unknownCustomer(customerId);
      },
    };
  }
  const legacy = config.modernDailyRoutes !== "summary";
  const summary = config.modernDailyRoutes !== "legacy";
  if (
    legacy &&
    kind === "scanprofilesdailynew" &&
    third === "profileid" &&
    fourth !== undefined &&
    rest.length === 4
  ) {
    return {
      endpoint: MODERN_ENDPOINTS.dailyLegacy,
      scope: "scanprofiles",
      customerId,
      handle: (ctx) => daily(ctx, customerId, fourth),
    };
  }
  if (
    summary &&
    kind === "scanprofiles" &&
    third !== undefined &&
    fourth === "dailynewsummary" &&
    rest.length === 4
  ) {
    return {
      endpoint: MODERN_ENDPOINTS.dailySummary,
      scope: "scanprofiles",
      customerId,
      handle: (ctx) => daily(ctx, customerId, third),
    };
  }
  return null;
};
