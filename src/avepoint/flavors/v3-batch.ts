/** Flavor `v3-batch` (October 2025 onward): POST batch lists, status from each profile's /changes. */
import type { CallContext } from "../call-context.js";
import type { JsonRequest } from "../client.js";
import { normalizeDaily } from "../normalize.js";
import { segment } from "../path.js";
import type { DailyProfile } from "../types.js";
import { PagedFlavor } from "./paged-flavor.js";

const BASE = "/partner/external/v3/general/customers";
const CUSTOMERS = `POST ${BASE}/batch`;
const PROFILES = `POST ${BASE}/{customerId}/scan-profiles/batch`;
const CHANGES = `GET ${BASE}/{customerId}/scan-profiles/{scanProfileId}/changes`;
/** Every endpoint template this flavor calls (the `endpoint` label of its metrics). */
export const V3_BATCH_ENDPOINTS = [CUSTOMERS, PROFILES, CHANGES] as const;

export class V3BatchApi extends PagedFlavor {
  readonly flavor = "v3-batch";
  protected readonly paging = "index";

  protected customersRequest(): JsonRequest {
    return { method: "POST", path: `${BASE}/batch`, endpoint: CUSTOMERS, body: {} };
  }

  protected profilesRequest(customerId: string): JsonRequest {
    const path = `${BASE}/${segment(customerId, PROFILES)}/scan-profiles/batch`;
    return { method: "POST", path, endpoint: PROFILES, body: {} };
  }

  profileDaily(customerId: string, profileId: string, ctx: CallContext): Promise<DailyProfile> {
    const path = `${BASE}/${segment(customerId, CHANGES)}/scan-profiles/${segment(profileId, CHANGES)}/changes`;
    // The answer carries the object lists behind the counts: read as a stream, lists skipped.
    return this.client.read({ method: "GET", path, endpoint: CHANGES, streamed: true }, ctx, normalizeDaily);
  }
}
