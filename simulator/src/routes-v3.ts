/** Flavor v3 (avepoint-api §5.1): paged GET lists; the profile list carries status and counts. */
import { reply } from "./http-util.js";
import { isReply, parseV3Paging, v3PageBody } from "./paging.js";
import { streamWithObjects } from "./profile-extras.js";
import type { RouteContext, Router } from "./routes.js";
import { startsWith, unknownCustomer, unknownProfile } from "./routes.js";
import type { SimCustomer, SimProfile } from "./types.js";

export const V3_PREFIX = ["partner", "external", "v3", "general", "customers"] as const;
const BASE = "/partner/external/v3/general/customers";

export const V3_ENDPOINTS = {
  customers: `GET ${BASE}`,
  profiles: `GET ${BASE}/{customerId}/scan-profiles`,
  daily: `GET ${BASE}/{customerId}/scan-profiles-v2/{scanProfileId}`,
  detail: `GET ${BASE}/{customerId}/scan-profiles-v2/{scanProfileId}/detail`,
} as const;

/** The v3 wire shape of a customer (also used by v3-batch). */
export const v3Customer = (c: SimCustomer): unknown => ({
  id: c.id,
  organization: c.organization,
  ownerEmail: c.ownerEmail,
  jobStatus: c.jobStatus,
  countryOrRegion: c.countryOrRegion,
  managementMode: c.managementMode,
  tenants: c.tenants.map((t) => ({ id: t.id, name: t.name })),
});

/** A full v3 profile row: list fields, status and counts. */
export const v3ProfileRow = (p: SimProfile): Record<string, unknown> => ({
  profileName: p.profileName,
  profileId: p.profileId,
  scanMode: p.scanMode,
  modifiedTime: p.modifiedTime,
  tenantDomain: p.tenantDomain,
  tenantId: p.tenantId,
  description: p.description,
  lastUpdateTime: p.lastUpdateTime,
  lastScanStatus: p.lastScanStatus,
  newRegisteredContentCount: p.newRegisteredContentCount,
  movedToAnotherContainer: p.movedToAnotherContainer,
  removedFromMicrosoft365OrOutofPolicy: p.removedFromMicrosoft365OrOutofPolicy,
});

/** A row without lastUpdateTime, lastScanStatus and the counts, as some real list answers are. */
const incompleteRow = (p: SimProfile): Record<string, unknown> => {
  const {
    lastUpdateTime: _time,
    lastScanStatus: _status,
    newRegisteredContentCount: _new,
    movedToAnotherContainer: _moved,
    removedFromMicrosoft365OrOutofPolicy: _removed,
    ...row
  } = v3ProfileRow(p);
  return row;
};

function listCustomers(ctx: RouteContext) {
  const page = parseV3Paging(ctx.query);
  if (isReply(page)) return page;
  return reply(200, v3PageBody(ctx.store.allCustomers, page, v3Customer));
}

function listProfiles(ctx: RouteContext, customerId: string) {
  const profiles = ctx.store.profiles(customerId);
  if (!profiles) return unknownCustomer(customerId);
  const page = parseV3Paging(ctx.query);
  if (isReply(page)) return page;
  const customer = ctx.store.customer(customerId);
  const id = customer?.id ?? customerId;
  return reply(
    200,
    v3PageBody(profiles, page, (p) =>
      ctx.store.isIncomplete(id, p.profileId) ? incompleteRow(p) : v3ProfileRow(p),
    ),
  );
}

function oneProfile(ctx: RouteContext, customerId: string, profileId: string, detail: boolean) {
  if (!ctx.store.customer(customerId)) return unknownCustomer(customerId);
  const profile = ctx.store.profile(customerId, profileId);
  if (!profile) return unknownProfile(customerId, profileId);
  if (!detail) return reply(200, v3ProfileRow(profile));
  return { ...reply(200, {}), stream: () => streamWithObjects({}, profile, ctx.objectLists) };
}

export const v3Router: Router = (method, segments) => {
  if (method !== "GET" || !startsWith(segments, V3_PREFIX)) return null;
  const rest = segments.slice(V3_PREFIX.length);
  const [customerId, kind, profileId, extra] = rest;
  if (customerId === undefined) {
    return { endpoint: V3_ENDPOINTS.customers, scope: "customers", customerId: null, handle: listCustomers };
  }
  if (kind === "scan-profiles" && rest.length === 2) {
    return {
      endpoint: V3_ENDPOINTS.profiles,
      scope: "scanprofiles",
      customerId,
      handle: (ctx) => listProfiles(ctx, customerId),
    };
  }
  if (kind === "scan-profiles-v2" && profileId !== undefined) {
    if (rest.length === 3 || (rest.length === 4 && extra === "detail")) {
      const detail = rest.length === 4;
      return {
        endpoint: detail ? V3_ENDPOINTS.detail : V3_ENDPOINTS.daily,
        scope: "scanprofiles",
        customerId,
        handle: (ctx) => oneProfile(ctx, customerId, profileId, detail),
      };
    }
  }
  return null;
};
