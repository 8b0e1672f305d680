/**
 * What the three flavors share: the customer list and each customer's profile list read page by
 * page (by index or by next link), rows normalised, and profiles completed from their daily record
 * where the list lacks status. A flavor says only where its lists and daily records are.
 */
import { isUpstreamHttpError } from "../../errors.js";
import type { CallContext } from "../call-context.js";
import type { ApiClient, JsonRequest } from "../client.js";
import { normalizeCustomer, normalizeProfile } from "../normalize.js";
import type { ApiFlavor, Customer, DailyProfile, ScanProfile } from "../types.js";
import { completeProfiles, isComplete } from "./complete.js";
import type { PartnerApi } from "./partner-api.js";
import { allPages, MAX_PAGES, pagedByIndex, pagedByNextLink, type ListEnd } from "./paging.js";

export abstract class PagedFlavor implements PartnerApi {
  abstract readonly flavor: ApiFlavor;
  /** How its lists page: pageIndex/totalCount (v3) or OData next links (modern). */
  protected abstract readonly paging: "index" | "nextLink";

  constructor(protected readonly client: ApiClient) {}

  /** The first request of the customer list. */
  protected abstract customersRequest(): JsonRequest;
  /** The first request of one customer's profile list. */
  protected abstract profilesRequest(customerId: string): JsonRequest;
  /** One profile from its daily-changes endpoint: status, counts and the tenant fields lists may lack. */
  abstract profileDaily(customerId: string, profileId: string, ctx: CallContext): Promise<DailyProfile>;

  listCustomers(ctx: CallContext, onPage: (customers: readonly Customer[]) => void): Promise<ListEnd> {
    return this.pager(
      this.client,
      { request: this.customersRequest(), map: normalizeCustomer, maxPages: MAX_PAGES.customers, onPage },
      ctx,
    );
  }

  async profiles(customerId: string, ctx: CallContext): Promise<readonly DailyProfile[]> {
    const listed = await this.listProfiles(customerId, ctx);
    // v3 rows carry their status: no daily record to ask for, nothing to set up.
    if (listed.every(isComplete)) return listed;
    // Once one daily record has failed the customer, the others still queued are not sent.
    const failed = new AbortController();
    const onAbort = (): void => failed.abort();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const own: CallContext = { signal: failed.signal, deadline: ctx.deadline };
    try {
      return await completeProfiles(listed, (profileId) =>
        this.profileDaily(customerId, profileId, own).catch((err: unknown) => {
          if (!isUpstreamHttpError(err, 404)) failed.abort();
          throw err;
        }),
      );
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
    }
  }

  /** The profile list as it comes; rows may lack status (the newer flavors' always do). */
  listProfiles(customerId: string, ctx: CallContext): Promise<readonly ScanProfile[]> {
    const request = this.profilesRequest(customerId);
    return allPages((onPage) =>
      this.pager(this.client, { request, map: normalizeProfile, maxPages: MAX_PAGES.profiles, onPage }, ctx),
    );
  }

  private get pager(): typeof pagedByIndex {
    return this.paging === "index" ? pagedByIndex : pagedByNextLink;
  }
}
