/** Profiles made complete: a list row without status is finished from the profile's daily record. */
import { isUpstreamHttpError } from "../../errors.js";
import type { DailyProfile, ScanProfile } from "../types.js";

/** A profile whose list row already carries its status and counts. */
export const isComplete = (profile: ScanProfile): profile is DailyProfile => profile.status !== null;

/**
 * Every listed profile with its status and counts: kept as listed where the row has them, else
 * merged with its daily record (asked for all such rows at once; the transport bounds concurrency).
 * A profile whose daily record answers 404 was deleted between the two calls and is left out —
 * unless every daily record answers 404, which says the endpoint is wrong, not the profiles.
 * @throws whatever `daily` throws first: one unreadable daily record fails the customer, which then
 *   keeps its last known values.
 */
export const completeProfiles = async (
  listed: readonly ScanProfile[],
  daily: (profileId: string) => Promise<DailyProfile>,
): Promise<DailyProfile[]> => {
  const incomplete = listed.filter((profile) => !isComplete(profile)).length;
  let gone = 0;
  let firstGone: unknown = null;
  const profiles = await Promise.all(
    listed.map(async (profile): Promise<DailyProfile | null> => {
      if (isComplete(profile)) return profile;
      let record: DailyProfile;
      try {
        record = await daily(profile.id);
      } catch (err) {
        if (!isUpstreamHttpError(err, 404)) throw err;
        gone++;
        firstGone ??= err;
        return null;
      }
      // Lists of the newer flavors carry only name, ID, mode and time: the rest comes from the daily record.
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
  if (gone > 0 && gone === incomplete && incomplete === listed.length) throw firstGone;
  return profiles.filter((profile): profile is DailyProfile => profile !== null);
};
