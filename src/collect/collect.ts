/** collect(api, options) → Snapshot: customers → profiles → (per flavor) daily status, concurrently. */
import pLimit from "p-limit";
import type { CallContext, PartnerApi } from "../avepoint/index.js";
import type { Customer } from "../avepoint/types.js";
import { reasonOf } from "../errors.js";
import type { CustomerResult, ResolvedProfile, Snapshot } from "./snapshot.js";

export interface CollectOptions extends CallContext {
  /** Which customers this instance collects (filters and shard). */
  readonly accept?: (customer: Customer) => boolean;
  readonly now?: () => number;
  /**
   * Customers worked on at once. A few times the request concurrency keeps every request slot busy
   * while holding far less in memory than starting thousands of customers together.
   */
  readonly customerParallelism?: number;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Never throws: a failure to list customers gives `up: false` (customers already listed are still
 * collected); a failure of one customer is that customer's result only. Request concurrency and
 * rate are the transport's business; here only how many customers are in progress at once.
 */
export const collect = async (api: PartnerApi, options: CollectOptions): Promise<Snapshot> => {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const accept = options.accept ?? (() => true);
  const pending: Promise<CustomerResult>[] = [];
  const limit = pLimit(options.customerParallelism ?? 64);
  const seen = new Set<string>();
  let upError: Snapshot["upError"] = null;

  try {
    await api.listCustomers(options, (page) => {
      for (const customer of page) {
        if (seen.has(customer.id) || !accept(customer)) continue;
        seen.add(customer.id);
        pending.push(limit(() => collectCustomer(api, customer, options)));
      }
    });
  } catch (err) {
    upError = { reason: reasonOf(err), message: messageOf(err) };
  }
  const customers = await Promise.all(pending);
  return { startedAt, durationSeconds: (now() - startedAt) / 1000, up: upError === null, upError, customers };
};

const collectCustomer = async (
  api: PartnerApi,
  customer: Customer,
  ctx: CallContext,
): Promise<CustomerResult> => {
  try {
    const listed = await api.listProfiles(customer.id, ctx);
    const profiles = await Promise.all(
      listed.map(async (profile): Promise<ResolvedProfile> => {
        if (profile.status !== null) return profile as ResolvedProfile;
        const daily = await api.profileDaily(customer.id, profile.id, ctx);
        // Lists of the newer flavors carry only name, ID, mode and time: the rest comes from the daily record.
        return {
          id: profile.id,
          name: profile.name || daily.name,
          scanMode: profile.scanMode ?? daily.scanMode,
          tenantId: profile.tenantId || daily.tenantId,
          tenantDomain: profile.tenantDomain || daily.tenantDomain,
          modifiedTimestamp: profile.modifiedTimestamp ?? daily.modifiedTimestamp,
          status: daily.status,
        };
      }),
    );
    return { ok: true, customer, profiles };
  } catch (err) {
    return { ok: false, customer, reason: reasonOf(err), message: messageOf(err) };
  }
};
