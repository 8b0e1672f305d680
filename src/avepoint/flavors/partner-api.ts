/** What every API flavor offers the collector. */
import type { CallContext } from "../call-context.js";
import type { ApiFlavor, Customer, DailyProfile } from "../types.js";
import type { ListEnd } from "./paging.js";

export interface PartnerApi {
  readonly flavor: ApiFlavor;
  /**
   * Lists all customers, handing each page to `onPage` as soon as it arrives (pages after the
   * first may be fetched in parallel), so the caller can start on them at once; each customer once
   * (a row whose ID was already listed is skipped as a `duplicate`). Resolves with
   * whether the list was complete: every promised row read and none malformed.
   */
  listCustomers(ctx: CallContext, onPage: (customers: readonly Customer[]) => void): Promise<ListEnd>;
  /**
   * Every scan profile of one customer, complete: status and counts from the list where its rows
   * carry them, else from each profile's daily record — however many calls the flavor needs.
   */
  profiles(customerId: string, ctx: CallContext): Promise<readonly DailyProfile[]>;
}
