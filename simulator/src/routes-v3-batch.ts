/** Flavor v3-batch (avepoint-api §5.3): POST batch lists, per-profile changes and settings. */
import type { Reply } from "./http-util.js";
import { errorBody, isJsonContentType, reply, tryParseJson } from "./http-util.js";
import { isReply, parseV3Paging, v3PageBody } from "./paging.js";
import { profileSettings, streamWithObjects } from "./profile-extras.js";
import type { RouteContext, Router } from "./routes.js";
import { startsWith, unknownCustomer, unknownProfile } from "./routes.js";
import { V3_PREFIX, v3Customer, v3ProfileRow } from "./routes-v3.js";
import type { SimProfile } from "./types.js";

const BASE = "/partner/external/v3/general/customers";

export const V3_BATCH_ENDPOINTS = {
  customers: `POST ${BASE}/batch`,
  profiles: `POST ${BASE}/{customerId}/scan-profiles/batch`,
  changes: `GET ${BASE}/{customerId}/scan-profiles/{scanProfileId}/changes`,
  settings: `GET ${BASE}/{customerId}/scan-profiles/{scanProfileId}`,
} as const;

const badRequest = (message: string): Reply => reply(400, errorBody("BadRequest", message));

/** Reads the JSON body and its optional id filter; a 400 reply when either is unusable. */
function idFilter(ctx: RouteContext, field: string): Set<string> | null | Reply {
  if (!isJsonContentType(ctx.req)) return badRequest("Content-Type must be application/json");
  const body = tryParseJson(ctx.body);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return badRequest("body must be a JSON object");
  }
  const ids = (body as Record<string, unknown>)[field];
  if (ids === undefined || ids === null) return null;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
    return badRequest(`${field} must be an array of strings`);
  }
  return new Set(ids.map((id: string) => id.toLowerCase()));
}

const isFilterReply = (value: Set<string> | null | Reply): value is Reply =>
  value !== null && !(value instanceof Set);

function batchCustomers(ctx: RouteContext): Reply {
  const filter = idFilter(ctx, "customerIds");
  if (isFilterReply(filter)) return filter;
  const page = parseV3Paging(ctx.query);
  if (isReply(page)) return page;
  const all = ctx.store.allCustomers;
  const customers = filter ? all.filter((c) => filter.has(c.id.toLowerCase())) : all;
  return reply(200, v3PageBody(customers, page, v3Customer));
}

const listRow = (p: SimProfile): unknown => ({
  profileName: p.profileName,
  profileId: p.profileId,
  scanMode: p.scanMode,
  modifiedTime: p.modifiedTime,
});

function batchProfiles(ctx: RouteContext, customerId: string): Reply {
  const profiles = ctx.store.profiles(customerId);
  if (!profiles) return unknownCustomer(customerId);
  const filter = idFilter(ctx, "scanProfileIds");
  if (isFilterReply(filter)) return filter;
  const page = parseV3Paging(ctx.query);
  if (isReply(page)) return page;
  const selected = filter ? profiles.filter((p) => filter.has(p.profileId.toLowerCase())) : profiles;
  return reply(200, v3PageBody(selected, page, listRow));
}

function oneProfile(ctx: RouteContext, customerId: string, profileId: string, changes: boolean): Reply {
  if (!ctx.store.customer(customerId)) return unknownCustomer(customerId);
  const profile = ctx.store.profile(customerId, profileId);
  if (!profile) return unknownProfile(customerId, profileId);
  if (!changes) return reply(200, profileSettings(profile));
  // The lists are as long as the counts (full mode): generated while they are written, never held.
  return {
    ...reply(200, v3ProfileRow(profile)),
    stream: (body) => streamWithObjects(body as Record<string, unknown>, profile, ctx.objectLists),
  };
}

export const v3BatchRouter: Router = (method, segments) => {
  if (!startsWith(segments, V3_PREFIX)) return null;
  const rest = segments.slice(V3_PREFIX.length);
  const [first, kind, profileId, extra] = rest;
  if (method === "POST" && rest.length === 1 && first === "batch") {
    return {
      endpoint: V3_BATCH_ENDPOINTS.customers,
      scope: "customers",
      customerId: null,
      handle: batchCustomers,
    };
  }
  if (first === undefined || kind !== "scan-profiles" || profileId === undefined) return null;
  const customerId = first;
  if (method === "POST" && rest.length === 3 && profileId === "batch") {
    return {
      endpoint: V3_BATCH_ENDPOINTS.profiles,
      scope: "scanprofiles",
      customerId,
      handle: (ctx) => batchProfiles(ctx, customerId),
    };
  }
  if (method !== "GET") return null;
  if (rest.length === 3 || (rest.length === 4 && extra === "changes")) {
    const changes = rest.length === 4;
    return {
      endpoint: changes ? V3_BATCH_ENDPOINTS.changes : V3_BATCH_ENDPOINTS.settings,
      scope: "scanprofiles",
      customerId,
      handle: (ctx) => oneProfile(ctx, customerId, profileId, changes),
    };
  }
  return null;
};
