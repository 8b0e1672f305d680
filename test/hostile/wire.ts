/**
 * Wire records and routes of the hostile upstream: a well-behaved fleet for the flavors `v3` and
 * `modern`, with a hook through which a test makes one list misbehave.
 */
import type { ServerResponse } from "node:http";
import { sendJson, type Route, type SeenRequest } from "./upstream.js";

export const V3_CUSTOMERS = ["partner", "external", "v3", "general", "customers"] as const;

/** The daily-report time every good profile carries, and its Unix seconds. */
export const REPORT_TIME = "08/01/2024 06:29:55";
export const REPORT_SECONDS = Date.UTC(2024, 7, 1, 6, 29, 55) / 1000;

export const customerRow = (id: unknown): Record<string, unknown> => ({
  id,
  organization: `Org ${String(id)}`,
  ownerEmail: "owner@example.com",
  jobStatus: 1,
  countryOrRegion: "US",
  managementMode: 1,
  tenants: [],
});

/** A v3 scan-profile list row: status and counts included. */
export const profileRow = (id: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  profileName: `Profile ${String(id)}`,
  profileId: id,
  scanMode: 0,
  modifiedTime: "2025-09-11T03:19:14Z",
  description: "",
  tenantId: "tenant-1",
  tenantDomain: "contoso.onmicrosoft.com",
  lastUpdateTime: REPORT_TIME,
  lastScanStatus: 2,
  newRegisteredContentCount: 3,
  movedToAnotherContainer: 1,
  removedFromMicrosoft365OrOutofPolicy: 0,
  ...extra,
});

/** The profile IDs every well-behaved customer has. */
export const goodProfileIds = (customerId: string): string[] => [`${customerId}-p1`, `${customerId}-p2`];

export const v3Page = (
  all: readonly unknown[],
  req: SeenRequest,
  totalCount: number | null = all.length,
): Record<string, unknown> => {
  const pageIndex = Math.max(1, Number(req.query.get("pageIndex") ?? "1") || 1);
  const pageSize = Math.max(1, Math.min(100, Number(req.query.get("pageSize") ?? "100") || 100));
  const data = all.slice((pageIndex - 1) * pageSize, pageIndex * pageSize);
  return {
    data,
    metadata: totalCount === null ? { pageIndex, pageSize } : { pageIndex, pageSize, totalCount },
  };
};

/** Answers `req` when it is the test's to answer; returns true when it did. */
export type Override = (req: SeenRequest, res: ServerResponse) => boolean | Promise<boolean>;

export interface V3Fleet {
  /** Raw customer rows, read on every request (a test may change them between scrapes). */
  readonly customers: () => readonly unknown[];
  /** Sees every API request first. */
  readonly override?: Override;
}

const isV3Customers = (segments: readonly string[]): boolean =>
  segments.length >= V3_CUSTOMERS.length && V3_CUSTOMERS.every((s, i) => segments[i] === s);

/** Flavor v3: the customer list paged by pageIndex/pageSize, two good profiles for every customer. */
export const v3Fleet = (fleet: V3Fleet): Route => {
  return async (req, res) => {
    if (fleet.override && (await fleet.override(req, res))) return;
    const s = req.segments;
    if (req.method === "GET" && isV3Customers(s) && s.length === 5)
      return sendJson(res, 200, v3Page(fleet.customers(), req));
    if (req.method === "GET" && isV3Customers(s) && s.length === 7 && s[6] === "scan-profiles")
      return sendJson(
        res,
        200,
        v3Page(
          goodProfileIds(s[5]!).map((id) => profileRow(id)),
          req,
        ),
      );
    sendJson(res, 404, { error: "not found" });
  };
};

/** The customer a v3 profile-list request is for, or null. */
export const v3ProfilesOf = (req: SeenRequest): string | null =>
  isV3Customers(req.segments) && req.segments.length === 7 && req.segments[6] === "scan-profiles"
    ? req.segments[5]!
    : null;

/** Modern list row of a profile: name, ID, mode and time only. */
export const modernProfileRow = (id: unknown): Record<string, unknown> => ({
  profileName: `Profile ${String(id)}`,
  profileId: id,
  scanMode: 1,
  modifiedTime: "2025-09-11T03:19:14Z",
});

export const modernDaily = (id: string): Record<string, unknown> => ({
  "@odata.context": "https://graph.example/$metadata#dailyNew",
  ProfileName: `Profile ${id}`,
  ProfileId: id,
  TenantDomain: "contoso.onmicrosoft.com",
  TenantId: "tenant-1",
  Description: "",
  ScanMode: 1,
  ModifiedTime: "2025-09-11T03:19:14Z",
  LastUpdateTime: REPORT_TIME,
  LastScanStatus: 2,
  NewRegisteredContentCount: 3,
  MovedToAnotherContainer: 1,
  RemovedFromMicrosoft365OrOutofPolicy: 0,
});

const lower = (segments: readonly string[]): string[] => segments.map((s) => s.toLowerCase());

/** The customer a modern profile-list request is for (`/partner/customers/{id}/scanProfiles`), or null. */
export const modernProfilesOf = (req: SeenRequest): string | null => {
  const s = lower(req.segments);
  return s.length === 4 && s[0] === "partner" && s[1] === "customers" && s[3] === "scanprofiles"
    ? req.segments[2]!
    : null;
};

export interface ModernFleet {
  readonly customers: () => readonly unknown[];
  readonly override?: Override;
}

/** Flavor modern: customers and profiles in `value` without next links, daily records by profile. */
export const modernFleet = (fleet: ModernFleet): Route => {
  return async (req, res) => {
    if (fleet.override && (await fleet.override(req, res))) return;
    const s = lower(req.segments);
    if (req.method === "GET" && s.length === 2 && s[0] === "partner" && s[1] === "customers")
      return sendJson(res, 200, { "@odata.context": "x", value: fleet.customers() });
    const owner = modernProfilesOf(req);
    if (req.method === "GET" && owner !== null)
      return sendJson(res, 200, { value: goodProfileIds(owner).map(modernProfileRow) });
    // /partner/Customers/{id}/ScanProfilesDailyNew/ProfileId/{pid}
    if (req.method === "GET" && s.length === 6 && s[2] !== undefined && s[3] === "scanprofilesdailynew")
      return sendJson(res, 200, modernDaily(req.segments[5]!));
    sendJson(res, 404, { error: "not found" });
  };
};

/** The customer a v3-batch profile-list request is for (`POST …/customers/{id}/scan-profiles/batch`), or null. */
export const v3BatchProfilesOf = (req: SeenRequest): string | null =>
  req.method === "POST" &&
  isV3Customers(req.segments) &&
  req.segments.length === 8 &&
  req.segments[6] === "scan-profiles" &&
  req.segments[7] === "batch"
    ? req.segments[5]!
    : null;

/** Flavor v3-batch: POST lists of customers and profiles (name, ID, mode, time), GET …/changes per profile. */
export const v3BatchFleet = (fleet: V3Fleet): Route => {
  return async (req, res) => {
    if (fleet.override && (await fleet.override(req, res))) return;
    const s = req.segments;
    if (req.method === "POST" && isV3Customers(s) && s.length === 6 && s[5] === "batch")
      return sendJson(res, 200, v3Page(fleet.customers(), req));
    const owner = v3BatchProfilesOf(req);
    if (owner !== null) return sendJson(res, 200, v3Page(goodProfileIds(owner).map(modernProfileRow), req));
    // GET …/customers/{id}/scan-profiles/{pid}/changes
    if (
      req.method === "GET" &&
      isV3Customers(s) &&
      s.length === 9 &&
      s[6] === "scan-profiles" &&
      s[8] === "changes"
    )
      return sendJson(res, 200, {
        ...profileRow(s[7]),
        newRegisteredContent: [],
        movedToAnotherContainerObjects: [],
      });
    sendJson(res, 404, { error: "not found" });
  };
};
