/** What every API flavor offers the collector. */
import type { CallContext } from "../timing.js";
import type { ApiFlavor, Customer, DailyProfile, ScanProfile } from "../types.js";

export interface PartnerApi {
  readonly flavor: ApiFlavor;
  /**
   * Lists all customers, handing each page to `onPage` as soon as it arrives (pages after the
   * first may be fetched in parallel), so the caller can start on them at once.
   */
  listCustomers(ctx: CallContext, onPage: (customers: readonly Customer[]) => void): Promise<void>;
  /** All scan profiles of one customer; `status` is null where the list does not carry it. */
  listProfiles(customerId: string, ctx: CallContext): Promise<readonly ScanProfile[]>;
  /** One profile from its daily-changes endpoint: status, counts and the tenant fields lists may lack. */
  profileDaily(customerId: string, profileId: string, ctx: CallContext): Promise<DailyProfile>;
}
