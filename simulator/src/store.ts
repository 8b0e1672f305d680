/** The simulator's live data: generated once, indexed in Maps, changed by tests through the control API. */
import type { GeneratedData } from "./data.js";
import type { SimCustomer, SimProfile } from "./types.js";

interface CustomerEntry {
  customer: SimCustomer;
  profiles: SimProfile[];
  byProfileId: Map<string, SimProfile>;
}

export class SimStore {
  #customers: SimCustomer[];
  readonly #byId = new Map<string, CustomerEntry>();
  readonly #incomplete: Set<string>;

  constructor(data: GeneratedData) {
    this.#customers = data.customers;
    this.#incomplete = data.incomplete;
    for (const customer of data.customers) {
      const profiles = data.profiles.get(customer.id) ?? [];
      this.#byId.set(customer.id, {
        customer,
        profiles,
        byProfileId: new Map(profiles.map((p) => [p.profileId.toLowerCase(), p])),
      });
    }
  }

  /** The live list, in order; do not mutate. */
  get allCustomers(): readonly SimCustomer[] {
    return this.#customers;
  }

  customer(id: string): SimCustomer | undefined {
    return this.#byId.get(id.toLowerCase())?.customer;
  }

  /** Profiles of a customer in list order, or undefined for an unknown customer. */
  profiles(customerId: string): readonly SimProfile[] | undefined {
    return this.#byId.get(customerId.toLowerCase())?.profiles;
  }

  profile(customerId: string, profileId: string): SimProfile | undefined {
    return this.#byId.get(customerId.toLowerCase())?.byProfileId.get(profileId.toLowerCase());
  }

  /** True when the v3 list row of this profile comes without status and counts. */
  isIncomplete(customerId: string, profileId: string): boolean {
    return this.#incomplete.has(`${customerId}/${profileId}`);
  }

  #entry(customerId: string): CustomerEntry {
    const entry = this.#byId.get(customerId.toLowerCase());
    if (!entry) throw new Error(`unknown customer ${customerId}`);
    return entry;
  }

  /** @throws Error for an unknown customer or profile. */
  updateProfile(customerId: string, profileId: string, patch: Partial<SimProfile>): SimProfile {
    const entry = this.#entry(customerId);
    const old = entry.byProfileId.get(profileId.toLowerCase());
    if (!old) throw new Error(`unknown profile ${profileId} of customer ${customerId}`);
    // Profiles are replaced, never mutated, so snapshots handed out earlier stay as they were.
    const updated: SimProfile = { ...old, ...patch };
    entry.profiles = entry.profiles.map((p) => (p === old ? updated : p));
    entry.byProfileId.delete(old.profileId.toLowerCase());
    entry.byProfileId.set(updated.profileId.toLowerCase(), updated);
    if (
      updated.profileId !== old.profileId &&
      this.#incomplete.delete(`${entry.customer.id}/${old.profileId}`)
    ) {
      this.#incomplete.add(`${entry.customer.id}/${updated.profileId}`);
    }
    return updated;
  }

  /** @throws Error for an unknown customer or profile. */
  deleteProfile(customerId: string, profileId: string): void {
    const entry = this.#entry(customerId);
    const old = entry.byProfileId.get(profileId.toLowerCase());
    if (!old) throw new Error(`unknown profile ${profileId} of customer ${customerId}`);
    entry.profiles = entry.profiles.filter((p) => p !== old);
    entry.byProfileId.delete(old.profileId.toLowerCase());
  }

  /** @throws Error for an unknown customer. */
  deleteCustomer(customerId: string): void {
    const entry = this.#entry(customerId);
    this.#byId.delete(entry.customer.id);
    this.#customers = this.#customers.filter((c) => c !== entry.customer);
  }
}
