/** Flavor `v3` (September 2025): the scan-profile list already carries status and counts. */
import type { CallContext } from "../call-context.js";
import type { JsonRequest } from "../client.js";
import { normalizeDaily } from "../normalize.js";
import { segment } from "../path.js";
import type { DailyProfile } from "../types.js";
import { PagedFlavor } from "./paged-flavor.js";

const BASE = "/partner/external/v3/general/customers";
const CUSTOMERS = `GET ${BASE}`;
const PROFILES = `GET ${BASE}/{customerId}/scan-profiles`;
const DAILY = `GET ${BASE}/{customerId}/scan-profiles-v2/{scanProfileId}`;
/** Every endpoint template this flavor calls (the `endpoint` label of its metrics). */
export const V3_ENDPOINTS = [CUSTOMERS, PROFILES, DAILY] as const;

export class V3Api extends PagedFlavor {
  readonly flavor = "v3";
  protected readonly paging = "index";

  protected customersRequest(): JsonRequest {
    return { method: "GET", path: BASE, endpoint: CUSTOMERS };
  }

  protected profilesRequest(customerId: string): JsonRequest {
    return {
      method: "GET",
      path: `${BASE}/${segment(customerId, PROFILES)}/scan-profiles`,
      endpoint: PROFILES,
    };
  }

  profileDaily(customerId: string, profileId: string, ctx: CallContext): Promise<DailyProfile> {
    const path = `${BASE}/${segment(customerId, DAILY)}/scan-profiles-v2/${segment(profileId, DAILY)}`;
    return this.client.read({ method: "GET", path, endpoint: DAILY }, ctx, normalizeDaily);
  }
}
