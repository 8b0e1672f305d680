/** A PartnerApi in memory for collect and rounds tests: every call takes `latencyMs` of (fake) time. */
import type { CallContext, PartnerApi } from "../../src/avepoint/index.js";
import type { Customer, DailyProfile } from "../../src/avepoint/types.js";
import { DeadlineError, UpstreamHttpError } from "../../src/errors.js";
import { customer, dailyProfile } from "../helpers/records.js";

export { customer, dailyProfile };

export interface FakeApi extends PartnerApi {
  customers: Customer[];
  /** Profiles per customer ID (default: one complete profile `p-<id>`). */
  profilesOf: Map<string, DailyProfile[]>;
  /** Customer ID → the HTTP status its calls fail with. */
  failing: Map<string, number>;
  /** The listing fails after this many pages (null: never). */
  listingFailsAfter: number | null;
  pageSize: number;
  latencyMs: number;
  /** Customer IDs in the order their profile lists were asked for. */
  readonly started: string[];
  listings: number;
}

const wait = (ms: number, ctx: CallContext): Promise<void> =>
  new Promise((resolve, reject) => {
    // As the real client: a wait the round's deadline ends is the round's doing, not AvePoint's.
    if (ctx.signal.aborted) return reject(new DeadlineError("deadline reached"));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new DeadlineError("deadline reached"));
    };
    const timer = setTimeout(() => {
      ctx.signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
  });

export const fakeApi = (count: number, options: Partial<FakeApi> = {}): FakeApi => {
  const api: FakeApi = {
    flavor: "v3",
    customers: Array.from({ length: count }, (_, i) => customer(`c${String(i).padStart(3, "0")}`)),
    profilesOf: new Map(),
    failing: new Map(),
    listingFailsAfter: null,
    pageSize: 100,
    latencyMs: 10,
    started: [],
    listings: 0,
    ...options,
    async listCustomers(ctx, onPage) {
      api.listings++;
      const all = [...api.customers];
      for (let page = 0; page * api.pageSize < all.length || page === 0; page++) {
        await wait(api.latencyMs, ctx);
        if (api.listingFailsAfter !== null && page >= api.listingFailsAfter)
          throw new UpstreamHttpError(503, "/customers");
        onPage(all.slice(page * api.pageSize, (page + 1) * api.pageSize));
      }
      return { complete: true };
    },
    async profiles(customerId, ctx): Promise<readonly DailyProfile[]> {
      api.started.push(customerId);
      await wait(api.latencyMs, ctx);
      const status = api.failing.get(customerId);
      if (status !== undefined) throw new UpstreamHttpError(status, "/customers/{id}/scan-profiles");
      return api.profilesOf.get(customerId) ?? [dailyProfile(`p-${customerId}`)];
    },
  };
  return api;
};
