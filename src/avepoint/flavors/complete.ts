/** Profiles made complete: a list row without status is finished from the profile's daily record. */
import type { DailyProfile, ScanProfile } from "../types.js";

const isComplete = (profile: ScanProfile): profile is DailyProfile => profile.status !== null;

/**
 * Every listed profile with its status and counts: kept as listed where the row has them, else
 * merged with its daily record (asked for all such rows at once; the transport bounds concurrency).
 * @throws whatever `daily` throws: one unreadable daily record fails the customer, which then keeps
 *   its last known values.
 */
export const completeProfiles = (
  listed: readonly ScanProfile[],
  daily: (profileId: string) => Promise<DailyProfile>,
): Promise<DailyProfile[]> =>
  Promise.all(
    listed.map(async (profile): Promise<DailyProfile> => {
      if (isComplete(profile)) return profile;
      // Lists of the newer flavors carry only name, ID, mode and time: the rest comes from the daily record.
      const record = await daily(profile.id);
      return {
        id: profile.id,
        name: profile.name || record.name,
        scanMode: profile.scanMode ?? record.scanMode,
        tenantId: profile.tenantId || record.tenantId,
        tenantDomain: profile.tenantDomain || record.tenantDomain,
        modifiedTimestamp: profile.modifiedTimestamp ?? record.modifiedTimestamp,
        status: record.status,
      };
    }),
  );
