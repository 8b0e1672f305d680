/** The demo's fleet: mostly healthy, with a few failed scans and one customer whose collection fails. */
import type { SimulatorControl } from "./types.js";

/** lastScanStatus codes the exporter alerts on (AvePointScanFailed): Failed, Error start. */
const FAILED = 3;
const ERROR_START = 7;
const FINISHED = 2;

export interface DemoFailures {
  /** Profiles whose last scan failed or failed to start, among the customers that can be collected. */
  readonly failedScans: number;
  /** The customer whose every request is refused with 403, as when it withdraws the partner's access. */
  readonly failingCustomer: { readonly id: string; readonly name: string };
}

/**
 * Makes the fleet show what failure looks like: three failed scans, and the last customer refusing
 * access. Deterministic for a given seed, like the simulator's data.
 * @throws Error when the fleet has fewer than four customers
 */
export const prepareDemoFleet = (sim: SimulatorControl): DemoFailures => {
  const customers = sim.customers();
  const failing = customers.at(-1);
  if (customers.length < 4 || failing === undefined) throw new Error("the demo needs at least 4 customers");
  // Exactly three failed scans, the rest of the generated variety of states kept.
  for (const [i, customer] of customers.entries())
    for (const [j, profile] of sim.profiles(customer.id).entries()) {
      const failed = profile.lastScanStatus === FAILED || profile.lastScanStatus === ERROR_START;
      if (j === 0 && i < 3)
        sim.updateProfile(customer.id, profile.profileId, { lastScanStatus: i === 2 ? ERROR_START : FAILED });
      else if (failed) sim.updateProfile(customer.id, profile.profileId, { lastScanStatus: FINISHED });
    }
  sim.setFaults({ failCustomers: { [failing.id]: 403 } });
  const failedScans = customers
    .filter((customer) => customer.id !== failing.id)
    .flatMap((customer) => sim.profiles(customer.id))
    .filter((profile) => profile.lastScanStatus === FAILED || profile.lastScanStatus === ERROR_START).length;
  return { failedScans, failingCustomer: { id: failing.id, name: failing.organization } };
};
